import { closeWithin, ShutdownExitCode } from './graceful-shutdown';

describe('closing within a bounded time', () => {
  const logger = { error: jest.fn() };
  const close = (what: () => Promise<unknown>) => closeWithin('application', what, 10_000, logger as never);

  beforeEach(() => {
    jest.useFakeTimers();
    logger.error.mockReset();
  });
  afterEach(() => jest.useRealTimers());

  it('says closed when closing ends in time', async () => {
    await expect(close(async () => undefined)).resolves.toBe('closed');
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('says failed, with the reason, when closing throws', async () => {
    await expect(close(async () => Promise.reject(new Error('Command timed out')))).resolves.toBe('failed');
    expect(logger.error).toHaveBeenCalledWith('application: closing failed: Command timed out');
  });

  it('stops waiting at the deadline when closing never ends (a Redis that hangs)', async () => {
    const outcome = close(() => new Promise(() => undefined));
    await jest.advanceTimersByTimeAsync(9_999);
    let settled = false;
    void outcome.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe('timed-out');
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('not closed after 10000 ms'));
  });

  it('exits 0, 1 or 124 as timeout(1) does', () => {
    expect(ShutdownExitCode).toEqual({ Closed: 0, Failed: 1, TimedOut: 124 });
  });
});
