import { SeasonTimer } from './season-timer';

describe('SeasonTimer', () => {
  let now = 0;
  beforeEach(() => {
    now = 1_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  const takes = (ms: number, result?: unknown) => async () => {
    now += ms;
    return result;
  };

  it('adds each run’s wall time to its phase and counts the runs', async () => {
    const timer = new SeasonTimer();
    expect(await timer.timed('work', takes(120, 'sent'))).toBe('sent');
    await timer.timed('work', takes(30));
    await timer.timed('settle.after-work', takes(5));
    expect(timer.timing().phases).toEqual({ work: { ms: 150, calls: 2 }, 'settle.after-work': { ms: 5, calls: 1 } });
  });

  it('counts a run that fails, and lets its error through', async () => {
    const timer = new SeasonTimer();
    const failing = async () => {
      now += 40;
      throw new Error('the workers applied nothing for 3 minutes');
    };
    await expect(timer.timed('settle.after-alarms', failing)).rejects.toThrow('the workers applied nothing');
    expect(timer.timing().phases['settle.after-alarms']).toEqual({ ms: 40, calls: 1 });
  });

  it('reports the preparation time and the counts beside the phases', async () => {
    const timer = new SeasonTimer();
    timer.prepareMs = 2_500;
    timer.counts.accepts += 12;
    timer.counts.alarmEvents += 3;
    expect(timer.timing()).toEqual({ prepareMs: 2_500, phases: {}, counts: { accepts: 12, alarmEvents: 3 } });
  });
});
