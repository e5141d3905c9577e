import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Response } from 'express';
import { QueueName } from '@rasoat/contracts';
import { QueueReader } from '@rasoat/engine';
import { Public } from './auth.guard';

async function probe(check: () => Promise<unknown>, timeoutMs = 2000): Promise<'up' | 'down'> {
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs)),
    ]);
    return 'up';
  } catch {
    return 'down';
  }
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly em: EntityManager,
    private readonly queues: QueueReader,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Trạng thái cơ sở dữ liệu và Redis / database and Redis status' })
  async health(@Res({ passthrough: true }) res: Response) {
    const [database, redis] = await Promise.all([
      probe(() => this.em.fork().execute('select 1')),
      probe(() => this.queues.jobCounts(QueueName.CaseEvents, 'waiting')),
    ]);
    const ok = database === 'up' && redis === 'up';
    res.status(ok ? 200 : 503);
    if (!ok) res.setHeader('Retry-After', '5');
    return { status: ok ? 'ok' : 'degraded', database, redis };
  }
}
