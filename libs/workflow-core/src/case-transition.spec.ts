import { readFileSync } from 'fs';
import { join } from 'path';
import {
  allowedEvents,
  applyEvent,
  CaseSnapshotSchema,
  startCase,
  type CaseEvent,
  type CaseSnapshot,
  type TransitionResult,
} from './case-transition';
import { compileDefinition, type CompiledDefinition } from './definition-compiler';
import { loadDefinitionYaml } from './definition-loader';

const FILE = join(__dirname, '../../../workflows/national/2022-2025/periodic-review.yaml');

function compileReview(yaml = readFileSync(FILE, 'utf8')): CompiledDefinition {
  const loaded = loadDefinitionYaml(yaml, FILE);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return compileDefinition(loaded.value);
}

const compiled = compileReview();
const T0 = new Date('2025-09-01T01:00:00.000Z');
const day = (n: number) => new Date(T0.getTime() + n * 86_400_000);

const EVENTS = {
  listSubmitted: {
    type: 'REVIEW_LIST_SUBMITTED',
    data: { householdCount: 40, fromPreviousLists: 30, newlyArising: 6, requests: 4 },
  },
  surveyCompleted: (householdsSurveyed: number) => ({
    type: 'SURVEY_COMPLETED',
    data: { householdsSurveyed, poorCount: 5, nearPoorCount: 7 },
  }),
  meetingHeld: (opinionsGiven: number, householdsAgreed = 12) => ({
    type: 'MEETING_HELD',
    data: {
      date: '2025-10-02',
      chair: 'Trưởng thôn',
      attendees: 20,
      opinionsGiven,
      householdsPut: 12,
      householdsAgreed,
    },
  }),
  complaintFiled: { type: 'COMPLAINT_FILED', data: { householdRef: 'HH-017', summary: 'Chấm điểm sai chỉ số nhà ở' } },
  postingEnded: { type: 'POSTING_PERIOD_ENDED', data: {} },
  recheckCompleted: { type: 'RECHECK_COMPLETED', data: { complaintsResolved: 1, classificationsChanged: 0 } },
  reportSent: { type: 'REPORT_SENT_TO_DISTRICT', data: { reportRef: '123/BC-UBND' } },
  districtOpinion: (agreed: boolean) => ({ type: 'DISTRICT_OPINION_GIVEN', data: { agreed } }),
  listsRecognised: {
    type: 'LISTS_RECOGNISED',
    data: {
      decisionNumber: '45/QĐ-UBND',
      decisionDate: '2025-12-10',
      poorCount: 5,
      nearPoorCount: 7,
      escapedPovertyCount: 2,
      escapedNearPovertyCount: 1,
    },
  },
  reportSubmitted: { type: 'REPORT_SUBMITTED', data: { reportRef: '200/BC-UBND' } },
} satisfies Record<string, CaseEvent | ((...args: never[]) => CaseEvent)>;

function applied(result: TransitionResult): Extract<TransitionResult, { outcome: 'applied' }> {
  if (result.outcome !== 'applied')
    throw new Error(`expected the event to be applied, got ${result.code}: ${result.message}`);
  return result;
}

/** Applies events one day apart from `snapshot`; every one must be applied. */
function drive(snapshot: CaseSnapshot, events: CaseEvent[], firstDay = 1): CaseSnapshot {
  return events.reduce((s, e, i) => applied(applyEvent(compiled, s, e, day(firstDay + i))).snapshot, snapshot);
}

const started = startCase(compiled, T0).snapshot;
const inPosting = drive(started, [EVENTS.listSubmitted, EVENTS.surveyCompleted(40), EVENTS.meetingHeld(10)]);
const inRecognition = drive(inPosting, [EVENTS.postingEnded, EVENTS.reportSent, EVENTS.districtOpinion(true)], 4);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('startCase', () => {
  it('puts the case in the initial step with the entry milestone at now and arms its deadline', () => {
    const result = startCase(compiled, T0);
    expect(result).toEqual({
      outcome: 'applied',
      from: null,
      to: 'listing',
      snapshot: {
        step: 'listing',
        status: 'active',
        context: { data: {}, counters: {}, milestones: { listing: T0.toISOString() } },
      },
      effects: [
        {
          kind: 'deadline.arm',
          step: 'listing',
          deadline: {
            due: { kind: 'windowEnd' },
            reminders: [{ workingDaysBefore: 20 }],
            escalation: { everyWorkingDays: 2, maxLevels: 3 },
          },
        },
      ],
    });
  });

  it('keeps milestones given by the caller (e.g. the campaign start)', () => {
    const result = startCase(compiled, T0, { campaignStart: '2025-08-15T00:00:00.000Z' });
    expect(result.snapshot.context.milestones).toEqual({
      campaignStart: '2025-08-15T00:00:00.000Z',
      listing: T0.toISOString(),
    });
  });
});

describe('applyEvent', () => {
  it('moves to the target step, records the payload, cancels the left deadline and arms the entered one', () => {
    const result = applied(applyEvent(compiled, started, EVENTS.listSubmitted, day(1)));
    expect(result.from).toBe('listing');
    expect(result.to).toBe('survey');
    expect(result.snapshot.step).toBe('survey');
    expect(result.snapshot.status).toBe('active');
    expect(result.snapshot.context.data).toEqual({ REVIEW_LIST_SUBMITTED: EVENTS.listSubmitted.data });
    expect(result.snapshot.context.milestones).toEqual({ listing: T0.toISOString(), survey: day(1).toISOString() });
    expect(result.effects).toEqual([
      { kind: 'deadline.cancel', step: 'listing' },
      {
        kind: 'deadline.arm',
        step: 'survey',
        deadline: expect.objectContaining({ due: { kind: 'windowEnd' }, reminders: [{ workingDaysBefore: 15 }] }),
      },
    ]);
  });

  it('arms a deadline with its parameters resolved', () => {
    const result = applied(
      applyEvent(
        compiled,
        drive(started, [EVENTS.listSubmitted, EVENTS.surveyCompleted(40)]),
        EVENTS.meetingHeld(10),
        day(3),
      ),
    );
    expect(result.to).toBe('posting');
    expect(result.effects).toContainEqual({
      kind: 'deadline.arm',
      step: 'posting',
      deadline: {
        due: { kind: 'workingDays', days: 3, from: 'stepEntered' },
        reminders: [],
        onDue: 'POSTING_PERIOD_ENDED',
      },
    });
  });

  it('rejects an event whose guard does not hold and leaves the snapshot as it was', () => {
    const inSurvey = drive(started, [EVENTS.listSubmitted]);
    const before = structuredClone(inSurvey);
    const result = applyEvent(compiled, inSurvey, EVENTS.surveyCompleted(39), day(2));
    expect(result).toEqual({
      outcome: 'rejected',
      code: 'GUARD_REJECTED',
      message: expect.stringContaining('SURVEY_COMPLETED'),
    });
    expect(inSurvey).toEqual(before);
  });

  it('takes the first transition whose guard holds (meeting without quorum stays, notifies and counts)', () => {
    const inMeeting = drive(started, [EVENTS.listSubmitted, EVENTS.surveyCompleted(40)]);
    const result = applied(applyEvent(compiled, inMeeting, EVENTS.meetingHeld(9), day(3)));
    expect(result.to).toBe('meeting');
    expect(result.snapshot.context.counters).toEqual({ invalidMeetings: 1 });
    expect(result.snapshot.context.milestones.meeting).toBe(inMeeting.context.milestones.meeting);
    expect(result.effects).toEqual([
      { kind: 'notify', step: 'meeting', role: 'commune_committee', template: 'meeting-invalid' },
    ]);
  });

  it('sends the case back to the survey when some households lack agreement', () => {
    const inMeeting = drive(started, [EVENTS.listSubmitted, EVENTS.surveyCompleted(40)]);
    const result = applied(applyEvent(compiled, inMeeting, EVENTS.meetingHeld(10, 11), day(3)));
    expect(result.to).toBe('survey');
    expect(result.snapshot.context.counters).toEqual({ resurveyRounds: 1 });
  });

  it('rejects an event the step does not handle and lists the allowed events', () => {
    const result = applyEvent(compiled, inPosting, EVENTS.reportSent, day(5));
    expect(result).toMatchObject({ outcome: 'rejected', code: 'EVENT_NOT_ALLOWED' });
    expect(result.outcome === 'rejected' && result.message).toContain(
      'cho phép: COMPLAINT_FILED, POSTING_PERIOD_ENDED',
    );
    expect(allowedEvents(compiled, inPosting)).toEqual(['COMPLAINT_FILED', 'POSTING_PERIOD_ENDED']);
  });

  it('rejects an unknown event type', () => {
    expect(applyEvent(compiled, started, { type: 'LIST_BURNED', data: {} }, day(1))).toEqual({
      outcome: 'rejected',
      code: 'UNKNOWN_EVENT',
      message: expect.stringContaining('"LIST_BURNED"'),
    });
  });

  describe('payload validation', () => {
    const reject = (data: Record<string, unknown>) =>
      applyEvent(compiled, started, { type: 'REVIEW_LIST_SUBMITTED', data }, day(1));

    it('names a missing required field', () => {
      const { householdCount: _omitted, ...rest } = EVENTS.listSubmitted.data;
      const result = reject(rest);
      expect(result).toMatchObject({
        outcome: 'rejected',
        code: 'INVALID_PAYLOAD',
        payloadErrors: [{ field: 'householdCount', message: expect.any(String) }],
      });
      expect(result.outcome === 'rejected' && result.message).toMatch(/^householdCount: /);
    });

    it('names a field of the wrong type or out of range', () => {
      expect(reject({ ...EVENTS.listSubmitted.data, householdCount: '40' })).toMatchObject({
        code: 'INVALID_PAYLOAD',
        payloadErrors: [{ field: 'householdCount' }],
      });
      expect(reject({ ...EVENTS.listSubmitted.data, requests: -1 })).toMatchObject({
        code: 'INVALID_PAYLOAD',
        payloadErrors: [{ field: 'requests' }],
      });
      expect(reject({ ...EVENTS.listSubmitted.data, newlyArising: 1.5 })).toMatchObject({
        code: 'INVALID_PAYLOAD',
        payloadErrors: [{ field: 'newlyArising' }],
      });
    });

    it('names an unknown extra field', () => {
      expect(reject({ ...EVENTS.listSubmitted.data, village: 'Thôn 3' })).toEqual({
        outcome: 'rejected',
        code: 'INVALID_PAYLOAD',
        message: 'village: unknown field "village"',
        payloadErrors: [{ field: 'village', message: 'unknown field "village"' }],
      });
    });

    it('accepts a payload without its optional fields and rejects a bad date', () => {
      const inMeeting = drive(started, [EVENTS.listSubmitted, EVENTS.surveyCompleted(40)]);
      expect(applyEvent(compiled, inMeeting, EVENTS.meetingHeld(10), day(3)).outcome).toBe('applied');
      const badDate = { type: 'MEETING_HELD', data: { ...EVENTS.meetingHeld(10).data, date: '02/10/2025' } };
      expect(applyEvent(compiled, inMeeting, badDate, day(3))).toMatchObject({
        code: 'INVALID_PAYLOAD',
        payloadErrors: [{ field: 'date' }],
      });
    });

    it('validates the payload before looking at the step', () => {
      // An invalid payload for an event the step does not handle is reported as a payload problem.
      expect(applyEvent(compiled, started, { type: 'REPORT_SENT_TO_DISTRICT', data: {} }, day(1))).toMatchObject({
        code: 'INVALID_PAYLOAD',
      });
    });
  });

  describe('completion', () => {
    const result = applied(
      applyEvent(compiled, drive(inRecognition, [EVENTS.listsRecognised], 7), EVENTS.reportSubmitted, day(8)),
    );

    it('ends in the final step with a case.completed effect carrying the outcome', () => {
      expect(result.to).toBe('completed');
      expect(result.snapshot.status).toBe('done');
      expect(result.effects).toEqual([
        { kind: 'deadline.cancel', step: 'reporting' },
        { kind: 'case.completed', step: 'completed', outcome: 'recognised' },
      ]);
      expect(result.snapshot.context.milestones.completed).toBe(day(8).toISOString());
    });

    it('rejects any further event with CASE_COMPLETED and allows none', () => {
      expect(applyEvent(compiled, result.snapshot, EVENTS.reportSubmitted, day(9))).toMatchObject({
        outcome: 'rejected',
        code: 'CASE_COMPLETED',
      });
      expect(allowedEvents(compiled, result.snapshot)).toEqual([]);
    });
  });

  it('runs the actions of a transition without target and stays in the step, touching no deadline', () => {
    const once = applied(applyEvent(compiled, inPosting, EVENTS.complaintFiled, day(4)));
    const twice = applied(applyEvent(compiled, once.snapshot, EVENTS.complaintFiled, day(5)));
    expect(once.to).toBe('posting');
    expect(twice.snapshot.step).toBe('posting');
    expect(twice.snapshot.context.counters.openComplaints).toBe(2);
    expect(once.effects).toEqual([]);
    expect(twice.effects).toEqual([]);
    expect(twice.snapshot.context.milestones.posting).toBe(inPosting.context.milestones.posting);
  });

  it('re-arms the deadline and moves the milestone when a step is entered again (posting → recheck → posting)', () => {
    const withComplaint = drive(inPosting, [EVENTS.complaintFiled], 4);
    const toRecheck = applied(applyEvent(compiled, withComplaint, EVENTS.postingEnded, day(5)));
    expect(toRecheck.to).toBe('recheck');
    expect(toRecheck.effects.map((e) => `${e.kind} ${e.step}`)).toEqual([
      'deadline.cancel posting',
      'deadline.arm recheck',
    ]);

    const back = applied(applyEvent(compiled, toRecheck.snapshot, EVENTS.recheckCompleted, day(6)));
    expect(back.to).toBe('posting');
    expect(back.effects).toEqual([
      { kind: 'deadline.cancel', step: 'recheck' },
      { kind: 'deadline.arm', step: 'posting', deadline: compiled.deadlines.posting },
    ]);
    expect(back.snapshot.context.milestones.posting).toBe(day(6).toISOString());
    expect(inPosting.context.milestones.posting).toBe(day(3).toISOString());
    expect(back.snapshot.context.counters).toEqual({ openComplaints: 0, recheckRounds: 1 });

    // With the complaints resolved, the end of the posting period now leads to the commune report.
    expect(applied(applyEvent(compiled, back.snapshot, EVENTS.postingEnded, day(7))).to).toBe('commune_report');
  });

  it('sends the case back to re-check when the district disagrees', () => {
    const atDistrict = drive(inPosting, [EVENTS.postingEnded, EVENTS.reportSent], 4);
    expect(applied(applyEvent(compiled, atDistrict, EVENTS.districtOpinion(false), day(6))).to).toBe('recheck');
  });

  describe('purity', () => {
    it('does not mutate a deeply frozen input snapshot or event', () => {
      const snapshot = deepFreeze(structuredClone(inPosting));
      const event = deepFreeze(structuredClone(EVENTS.complaintFiled));
      const result = applied(applyEvent(compiled, snapshot, event, day(4)));
      expect(result.snapshot).not.toBe(snapshot);
      expect(snapshot).toEqual(inPosting);
      expect(result.snapshot.context.counters.openComplaints).toBe(1);

      const moved = applied(applyEvent(compiled, snapshot, deepFreeze(structuredClone(EVENTS.postingEnded)), day(4)));
      expect(moved.to).toBe('commune_report');
      expect(snapshot).toEqual(inPosting);
    });

    it('gives the same output for the same inputs', () => {
      const a = applyEvent(compiled, inPosting, EVENTS.postingEnded, day(4));
      const b = applyEvent(compiled, inPosting, EVENTS.postingEnded, day(4));
      expect(a).toEqual(b);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    });

    it('takes time only from `now`', () => {
      const a = applied(applyEvent(compiled, inPosting, EVENTS.postingEnded, new Date('2030-01-01T00:00:00.000Z')));
      expect(a.snapshot.context.milestones.commune_report).toBe('2030-01-01T00:00:00.000Z');
    });
  });

  describe('persistence', () => {
    it('round-trips a snapshot through JSON and CaseSnapshotSchema, then continues', () => {
      const original = drive(inPosting, [EVENTS.complaintFiled], 4);
      const restored = CaseSnapshotSchema.parse(JSON.parse(JSON.stringify(original)));
      expect(restored).toEqual(original);

      const fromRestored = applyEvent(compiled, restored, EVENTS.postingEnded, day(5));
      expect(fromRestored).toEqual(applyEvent(compiled, original, EVENTS.postingEnded, day(5)));
      expect(applied(fromRestored).to).toBe('recheck');
    });

    it('survives a restart: a freshly compiled definition continues a stored case', () => {
      const stored = JSON.stringify(drive(inPosting, [EVENTS.complaintFiled], 4));
      const again = compileReview();
      const result = applied(
        applyEvent(again, CaseSnapshotSchema.parse(JSON.parse(stored)), EVENTS.postingEnded, day(5)),
      );
      expect(result.to).toBe('recheck');
    });

    it('persists only plain data and refuses snapshots with extra or missing parts', () => {
      expect(Object.keys(inPosting).sort()).toEqual(['context', 'status', 'step']);
      expect(CaseSnapshotSchema.safeParse({ ...inPosting, value: 'posting' }).success).toBe(false);
      expect(CaseSnapshotSchema.safeParse({ ...inPosting, status: 'stopped' }).success).toBe(false);
      expect(CaseSnapshotSchema.safeParse({ step: 'posting', status: 'active' }).success).toBe(false);
    });
  });
});
