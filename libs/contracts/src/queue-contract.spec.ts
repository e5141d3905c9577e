import { ApplyCaseEventsPayload, casesOf, MAX_CASES_PER_JOB } from './queue-contract';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('ApplyCaseEventsPayload', () => {
  it('takes one case or a list of cases, and casesOf names them', () => {
    expect(casesOf(ApplyCaseEventsPayload.parse({ caseId: id(1) }))).toEqual([id(1)]);
    expect(casesOf(ApplyCaseEventsPayload.parse({ caseIds: [id(1), id(2)] }))).toEqual([id(1), id(2)]);
  });

  it('refuses an empty or oversized list, a non-UUID, both forms at once and unknown keys, naming the path', () => {
    const issues = (payload: unknown) => {
      const r = ApplyCaseEventsPayload.safeParse(payload);
      expect(r.success).toBe(false);
      return JSON.stringify(r.error?.issues);
    };
    expect(issues({ caseIds: [] })).toContain('caseIds');
    expect(issues({ caseIds: Array.from({ length: MAX_CASES_PER_JOB + 1 }, (_, i) => id(i)) })).toContain('caseIds');
    expect(issues({ caseIds: [id(1), 'not-a-case'] })).toContain('"caseIds",1');
    expect(issues({ caseId: id(1), caseIds: [id(2)] })).toBeTruthy();
    expect(issues({ caseId: id(1), extra: true })).toBeTruthy();
  });
});
