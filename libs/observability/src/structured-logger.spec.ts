import type { LogLevel } from '@nestjs/common';
import { runWithLogContext, setLogContext } from './log-context';
import { ALL_LOG_LEVELS, buildLogEntry, createAppLogger, formatLogEntry, StructuredLogger } from './structured-logger';

const NOW = new Date('2026-09-01T02:03:04.005Z');

function capture(format: 'json' | 'pretty' = 'json', levels: LogLevel[] = ALL_LOG_LEVELS) {
  const lines: { line: string; level: LogLevel }[] = [];
  const logger = new StructuredLogger({
    format,
    levels,
    now: () => NOW,
    write: (line, level) => lines.push({ line, level }),
  });
  return { logger, lines, json: () => lines.map((l) => JSON.parse(l.line) as Record<string, unknown>) };
}

describe('StructuredLogger (JSON lines)', () => {
  it('writes one JSON object per line with time, level, context, msg and pid', () => {
    const { logger, lines, json } = capture();
    logger.log('API listening', 'rasoat');
    expect(lines).toHaveLength(1);
    expect(lines[0].line).not.toContain('\n');
    expect(json()[0]).toEqual({
      time: '2026-09-01T02:03:04.005Z',
      level: 'info',
      context: 'rasoat',
      msg: 'API listening',
      pid: process.pid,
    });
  });

  it('maps Nest levels to log levels and drops the levels not enabled', () => {
    const { logger, json } = capture('json', ['log', 'warn', 'error', 'fatal']);
    logger.log('a', 'C');
    logger.warn('b', 'C');
    logger.error('c', undefined, 'C');
    logger.fatal('d', 'C');
    logger.debug('e', 'C');
    logger.verbose('f', 'C');
    expect(json().map((e) => e.level)).toEqual(['info', 'warn', 'error', 'fatal']);
    logger.setLogLevels(['debug']);
    expect(logger.isLevelEnabled('debug')).toBe(true);
    expect(logger.isLevelEnabled('log')).toBe(false);
  });

  it('adds requestId, caseId and jobId from the async context', async () => {
    const { logger, json } = capture();
    logger.log('outside', 'T');
    await runWithLogContext({ requestId: 'req-1' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.log('in request', 'T');
      await runWithLogContext({ caseId: '6f1c2b9e-0000-4000-8000-000000000001', jobId: '42' }, async () => {
        await Promise.resolve();
        logger.warn('while draining', 'T');
      });
      setLogContext({ caseId: 'later' });
      logger.log('after set', 'T');
    });
    const [outside, inRequest, draining, afterSet] = json();
    expect(outside.requestId).toBeUndefined();
    expect(inRequest).toMatchObject({ requestId: 'req-1', msg: 'in request' });
    expect(inRequest.caseId).toBeUndefined();
    expect(draining).toMatchObject({ requestId: 'req-1', caseId: '6f1c2b9e-0000-4000-8000-000000000001', jobId: '42' });
    expect(afterSet).toMatchObject({ requestId: 'req-1', caseId: 'later' });
  });

  it('merges an object message into fields and redacts payloads, bodies and credentials', () => {
    const { logger, json } = capture();
    logger.log(
      {
        msg: 'POST /api/cases/:id/events 202',
        method: 'POST',
        status: 202,
        durationMs: 3.2,
        payload: { name: 'Nguyễn Văn A' },
        body: 'x',
        authorization: 'Bearer abc',
        Token: 't',
      },
      'HTTP',
    );
    const [entry] = json();
    expect(entry).toMatchObject({
      msg: 'POST /api/cases/:id/events 202',
      method: 'POST',
      status: 202,
      durationMs: 3.2,
      context: 'HTTP',
    });
    expect(entry.payload).toBe('[redacted]');
    expect(entry.body).toBe('[redacted]');
    expect(entry.authorization).toBe('[redacted]');
    expect(entry.Token).toBe('[redacted]');
    expect(JSON.stringify(entry)).not.toContain('Nguyễn');
  });

  it('reads Nest error conventions: (message, stack, context), a lone stack, an Error message', () => {
    const { logger, json } = capture();
    const error = new Error('boom');
    logger.error('failed', error.stack, 'Filter');
    logger.error('static failure', error.stack);
    logger.error(error, 'Ctx');
    logger.error('no stack', undefined, 'Ctx');
    const [withStack, lone, asError, none] = json();
    expect(withStack).toMatchObject({ level: 'error', context: 'Filter', msg: 'failed' });
    expect(withStack.stack).toContain('boom');
    expect(lone.context).toBeUndefined();
    expect(lone.stack).toContain('at ');
    expect(asError).toMatchObject({ msg: 'boom', context: 'Ctx' });
    expect(none).toMatchObject({ msg: 'no stack', context: 'Ctx' });
    expect(none.stack).toBeUndefined();
  });

  it('never writes the SQL and bound values of a database error', () => {
    const { logger, lines } = capture();
    const dbError = Object.assign(
      new Error(
        `insert into "case_event" ("payload") values ('{"chair":"Trần Thị Bích"}') - duplicate key value violates unique constraint "x"`,
      ),
      { name: 'UniqueConstraintViolationException', code: '23505' },
    );
    logger.error(dbError, 'Engine');
    logger.error('request failed', dbError, 'HTTP');
    expect(lines.map((l) => l.line).join('\n')).not.toContain('Trần Thị Bích');
    expect(JSON.parse(lines[0].line).msg).toBe(
      'UniqueConstraintViolationException [23505] (SQL statement and values omitted)',
    );
  });

  it('appends extra non-object parameters to the message', () => {
    const { logger, json } = capture();
    logger.log('counted', 3, 'C');
    expect(json()[0]).toMatchObject({ msg: 'counted 3', context: 'C' });
  });
});

describe('pretty format', () => {
  it('writes a readable line with fields and ids', async () => {
    const { logger, lines } = capture('pretty');
    await runWithLogContext({ requestId: 'r-9', caseId: 'c-1' }, async () =>
      logger.log({ msg: 'GET /health 200', status: 200 }, 'HTTP'),
    );
    expect(lines[0].line).toBe(
      '2026-09-01T02:03:04.005Z INFO    [HTTP] GET /health 200  status=200 requestId=r-9 caseId=c-1',
    );
  });

  it('formats an entry built by buildLogEntry in both formats', () => {
    const entry = buildLogEntry('warn', 'slow scrape', ['Metrics'], { requestId: 'abc' }, NOW, 7);
    expect(JSON.parse(formatLogEntry(entry, 'json'))).toEqual({
      time: NOW.toISOString(),
      level: 'warn',
      context: 'Metrics',
      msg: 'slow scrape',
      requestId: 'abc',
      pid: 7,
    });
    expect(formatLogEntry(entry, 'pretty')).toBe(
      '2026-09-01T02:03:04.005Z WARN    [Metrics] slow scrape  requestId=abc',
    );
  });
});

describe('createAppLogger', () => {
  it('uses the configured format and the default levels (no debug)', () => {
    const logger = createAppLogger({ logFormat: 'json' });
    expect(logger.format).toBe('json');
    expect(logger.isLevelEnabled('log')).toBe(true);
    expect(logger.isLevelEnabled('debug')).toBe(false);
  });
});
