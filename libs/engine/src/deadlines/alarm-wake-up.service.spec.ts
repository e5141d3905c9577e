import { AlarmWakeUpService } from './alarm-wake-up.service';
import type { DeadlineRepository } from './deadline.repository';
import type { TimersProducer } from './timers.producer';

const NOW = new Date('2026-11-20T03:00:00Z');

describe('AlarmWakeUpService', () => {
  it('re-arms a wake-up at each second at which an alarm rings within the next hour', async () => {
    const seconds = [Date.parse('2026-11-20T03:00:01Z') / 1000, Date.parse('2026-11-20T04:00:00Z') / 1000];
    const deadlines = { alarmSeconds: jest.fn().mockResolvedValue(seconds) };
    const timers = { wakeAt: jest.fn() };
    const wakeUps = new AlarmWakeUpService(
      deadlines as unknown as DeadlineRepository,
      timers as unknown as TimersProducer,
    );

    expect(await wakeUps.rearmNextHour(NOW, 5000)).toBe(2);
    expect(deadlines.alarmSeconds).toHaveBeenCalledWith(NOW, new Date('2026-11-20T04:00:00Z'), 5000);
    expect(timers.wakeAt).toHaveBeenCalledWith(
      [new Date('2026-11-20T03:00:01Z'), new Date('2026-11-20T04:00:00Z')],
      NOW,
    );
  });
});
