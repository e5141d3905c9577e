import { Controller, Get, Inject, Injectable, Logger, Req, Res, type OnModuleInit } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import { QueueName } from '@rasoat/contracts';
import { QueueReader } from '@rasoat/engine';
import { Metrics, metricsAccessAllowed, QUEUE_JOB_STATES, safeErrorMessage } from '@rasoat/observability';
import { Public } from './auth.guard';

/** Armed deadlines: the predicate of the partial index `deadline_next_alarm_idx`, so an index-only scan. */
export const ARMED_DEADLINES_SQL = 'select count(*) as n from deadline where next_alarm_at is not null';

/**
 * Feeds the gauges read on scrape: BullMQ job counts of the three queues, and the deadlines
 * with an armed alarm — counted through the partial index `deadline_next_alarm_idx`
 * (`on deadline (next_alarm_at) where next_alarm_at is not null`), an index-only scan.
 */
@Injectable()
export class ScrapeSourcesRegistration implements OnModuleInit {
  private readonly logger = new Logger('Metrics');

  constructor(
    private readonly metrics: Metrics,
    private readonly queues: QueueReader,
    private readonly em: EntityManager,
  ) {}

  onModuleInit(): void {
    const names = [QueueName.CaseEvents, QueueName.Timers, QueueName.Notifications];
    this.metrics.collectOnScrape(
      {
        queueJobCounts: () =>
          Promise.all(
            names.map(async (name) => ({
              queue: name,
              counts: await this.queues.jobCounts(name, ...QUEUE_JOB_STATES),
            })),
          ),
        armedDeadlines: async () => {
          const [row] = await this.em.fork().execute<{ n: string | number }[]>(ARMED_DEADLINES_SQL);
          return Number(row?.n ?? 0);
        },
      },
      (what, e) => this.logger.warn(`${what} not collected: ${safeErrorMessage(e)}`),
    );
  }
}

/**
 * Prometheus metrics in the text exposition format. Served to loopback callers and to callers
 * with `Authorization: Bearer <METRICS_TOKEN>`; 401 otherwise (README, Operations).
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Public()
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (
      !metricsAccessAllowed({ remoteAddress: req.socket.remoteAddress, headers: req.headers }, this.config.metricsToken)
    ) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      res.status(401).json({
        error: {
          code: 'METRICS_UNAUTHORIZED',
          message: 'metrics are served to loopback or with Authorization: Bearer <METRICS_TOKEN>',
          details: {},
        },
        requestId: String(req.headers['x-request-id'] ?? ''),
      });
      return;
    }
    const text = await this.metrics.render();
    res.setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).send(text);
  }
}
