import type { CaseEventsProducer } from './case-events.producer';
import { CaseRewakeService } from './case-rewake.service';
import type { PendingEventsRepository } from './pending-events.repository';

const NOW = new Date('2026-11-20T03:00:00Z');

describe('CaseRewakeService', () => {
  it('re-wakes the cases with an event pending since before the allowed wait, each at its newest event, under the sweep’s instant', async () => {
    const pending = {
      casesWaitingSince: jest.fn().mockResolvedValue([
        { case_id: 'c1', seq: 4 },
        { case_id: 'c2', seq: 1 },
      ]),
    };
    const producer = { rewakeMany: jest.fn() };
    const rewake = new CaseRewakeService(
      pending as unknown as PendingEventsRepository,
      producer as unknown as CaseEventsProducer,
    );

    expect(await rewake.rewakeWaiting(NOW, 60, 100)).toBe(2);
    expect(pending.casesWaitingSince).toHaveBeenCalledWith(new Date('2026-11-20T02:59:00Z'), 100);
    expect(producer.rewakeMany).toHaveBeenCalledWith(
      [
        { caseId: 'c1', seq: 4 },
        { caseId: 'c2', seq: 1 },
      ],
      NOW,
    );
  });
});
