import type { ArgumentsHost } from '@nestjs/common';
import { RefusedEventBudgetExceededException } from '@rasoat/engine';
import { DomainExceptionFilter, failureAnswer } from './domain-exception.filter';

/** A lost database or Redis is 503 with Retry-After, never 500 (test/faults-postgres-outage.e2e-spec.ts proves it end to end). */
describe('DomainExceptionFilter: unavailable services', () => {
  function answer(exception: unknown): {
    status: number;
    headers: Record<string, string>;
    body: { error: { code: string } };
  } {
    const out = {
      status: 0,
      headers: {} as Record<string, string>,
      body: undefined as unknown as { error: { code: string } },
    };
    const response = {
      setHeader: (name: string, value: string) => (out.headers[name] = value),
      status(code: number) {
        out.status = code;
        return this;
      },
      json: (body: { error: { code: string } }) => (out.body = body),
    };
    const host = {
      switchToHttp: () => ({
        getResponse: () => response,
        getRequest: () => ({ headers: {}, method: 'GET', path: '/x' }),
      }),
    } as unknown as ArgumentsHost;
    const filter = new DomainExceptionFilter();
    (filter as unknown as { logger: { error: () => void } }).logger = { error: () => undefined };
    filter.catch(exception, host);
    return out;
  }
  const named = (name: string, message: string, code?: string) => Object.assign(new Error(message), { name, code });

  it.each([
    ['a refused connection', named('ConnectionException', 'connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    [
      'a session terminated by a fast shutdown',
      named('DriverException', 'terminating connection due to administrator command', '57P01'),
    ],
    ['the server shutting down', named('DriverException', 'the database system is shutting down', '57P03')],
    ['a connect that timed out (node-postgres connectionTimeoutMillis)', named('DriverException', 'timeout expired')],
    [
      "the pool's acquire timeout",
      named(
        'KnexTimeoutError',
        'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?',
      ),
    ],
    ['Redis gone (ioredis)', new Error('Connection is closed.')],
    [
      'Redis down, through a fail-fast connection',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ],
    ['Redis hanging, through a fail-fast connection', new Error('Command timed out')],
  ])('%s → 503 with Retry-After', (_, exception) => {
    const res = answer(exception);
    expect(res.status).toBe(503);
    expect(res.headers['Retry-After']).toBe('5');
    expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('anything else → 500', () => {
    expect(answer(new Error('boom')).status).toBe(500);
    expect(answer(named('DriverException', 'a query timeout expired somewhere')).status).toBe(500);
  });
});

describe('failureAnswer: a budget spent', () => {
  it('is 429 with Retry-After, its stable code and the limit in the details', () => {
    const answer = failureAnswer(new RefusedEventBudgetExceededException('case-1', 100, 1800));
    expect(answer).toMatchObject({
      status: 429,
      headers: { 'Retry-After': '1800' },
      error: {
        code: 'CASE_REFUSED_EVENT_BUDGET_EXCEEDED',
        details: { caseId: 'case-1', limit: 100, windowSeconds: 3600, retryAfterSeconds: 1800 },
      },
    });
    expect(answer.error.message).toMatch(
      /^Bạn đã có 100 sự kiện bị từ chối .* \/ 100 of your events on this case were refused within the last hour/,
    );
  });
});
