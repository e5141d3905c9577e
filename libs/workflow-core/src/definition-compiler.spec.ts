import { readFileSync } from 'fs';
import { join } from 'path';
import { z } from 'zod';
import { applyEvent, startCase } from './case-transition';
import { compileDefinition } from './definition-compiler';
import { DefinitionInvalidError } from './definition-error';
import { loadDefinitionYaml } from './definition-loader';
import type { Definition } from './definition.schema';
import { BUILTIN_REGISTRIES } from './definition-validator';
import { mermaidDiagram } from './mermaid-diagram';

const FILE = join(__dirname, '../../../workflows/national/2022-2025/periodic-review.yaml');
const REVIEW_YAML = readFileSync(FILE, 'utf8');

function load(text: string, file = 'demo.yaml'): Definition {
  const loaded = loadDefinitionYaml(text, file);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.value;
}

const review = load(REVIEW_YAML, FILE);
const compiled = compileDefinition(review);

const FIELDS = `id: fields
version: 1
title: Các kiểu trường
sources: [TT 07/2021/TT-BLĐTBXH]
roles:
  board: { label: Ban rà soát, level: village }
events:
  RECORDED:
    label: Ghi nhận
    roles: [board]
    fields:
      chair: { type: string, maxLength: 5 }
      code: { type: string, minLength: 3, required: false }
      attendees: { type: integer, min: 1, max: 500 }
      share: { type: number, min: 0, max: 1 }
      agreed: { type: boolean }
      heldOn: { type: date }
      kind: { type: enum, values: [poor, near-poor] }
      households: { type: string-list, maxItems: 2, required: false }
initial: open
steps:
  open:
    label: Mở
    role: board
    source: TT 07/2021
    on: { RECORDED: done }
  done:
    type: final
    label: Xong
`;

describe('compileDefinition', () => {
  it('throws DefinitionInvalidError carrying every error, located in the file', () => {
    const text = REVIEW_YAML.replace('initial: listing', 'initial: listings').replace('name: notify', 'name: sms');
    const loaded = loadDefinitionYaml(text, 'broken.yaml');
    if (!loaded.ok) throw new Error('must pass the schema');
    let thrown: unknown;
    try {
      compileDefinition(loaded.value, BUILTIN_REGISTRIES, loaded.source);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DefinitionInvalidError);
    const errors = (thrown as DefinitionInvalidError).errors;
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(errors.map((e) => [e.path, e.line])).toEqual([
      ['$.initial', lineOf('initial: listings')],
      ['$.steps.meeting.on.MEETING_HELD[0].actions[1].name', lineOf('name: sms')],
    ]);
    expect((thrown as Error).message).toContain(
      `broken.yaml:${lineOf('initial: listings')}:1 $.initial unknown step "listings"`,
    );
  });

  it('resolves parameter references in the compiled deadlines', () => {
    expect(compiled.deadlines.posting.due).toEqual({ kind: 'workingDays', days: 3, from: 'stepEntered' });
    expect(compiled.deadlines.recheck.due).toEqual({ kind: 'workingDays', days: 3, from: 'stepEntered' });
    expect(compiled.deadlines.posting.onDue).toBe('POSTING_PERIOD_ENDED');
    expect(Object.keys(compiled.deadlines)).not.toContain('completed');
  });

  it('follows a changed parameter value without code changes', () => {
    const stricter = compileDefinition(
      load(
        REVIEW_YAML.replace('postingWorkingDays:\n    value: 3', 'postingWorkingDays:\n    value: 5').replace(
          'meetingOpinionRatio:\n    value: 0.5',
          'meetingOpinionRatio:\n    value: 0.8',
        ),
        FILE,
      ),
    );
    expect(stricter.deadlines.posting.due).toMatchObject({ days: 5 });

    // The guard's ratio comes from the parameter too: 10 opinions of 20 attendees is 50%, below 80%.
    const meeting = {
      step: 'meeting',
      status: 'active' as const,
      context: { data: { REVIEW_LIST_SUBMITTED: { householdCount: 1 } }, counters: {}, milestones: {} },
    };
    const held = {
      type: 'MEETING_HELD',
      data: { date: '2025-10-02', chair: 'A', attendees: 20, opinionsGiven: 10, householdsPut: 3, householdsAgreed: 3 },
    };
    const now = new Date('2025-10-02T00:00:00Z');
    expect(applyEvent(compiled, meeting, held, now)).toMatchObject({ outcome: 'applied', to: 'posting' });
    expect(applyEvent(stricter, meeting, held, now)).toMatchObject({
      outcome: 'applied',
      to: 'meeting',
      snapshot: { context: { counters: { invalidMeetings: 1 } } },
    });
  });

  it('builds the machine from the definition: id, initial step, final steps', () => {
    expect(compiled.machine.id).toBe('periodic-review');
    expect(Object.keys(compiled.machine.root.states)).toEqual(Object.keys(review.steps));
    expect(compiled.machine.root.states.completed.type).toBe('final');
    expect(startCase(compiled, new Date()).to).toBe('listing');
  });

  it('uses the implementations of the registries it is given (a swapped guard)', () => {
    const guarded = load(
      FIELDS.replace(
        'on: { RECORDED: done }',
        'on:\n      RECORDED:\n        - { target: done, guard: officeOpen }\n        - { target: open }',
      ),
    );
    expect(() => compileDefinition(guarded)).toThrow(/unknown guard "officeOpen"/);

    const registries = (open: boolean) => ({
      ...BUILTIN_REGISTRIES,
      guards: {
        ...BUILTIN_REGISTRIES.guards,
        officeOpen: { description: { vi: 'Mở cửa', en: 'Open' }, params: z.strictObject({}), evaluate: () => open },
      },
    });
    const event = {
      type: 'RECORDED',
      data: { chair: 'An', attendees: 3, share: 0.5, agreed: true, heldOn: '2025-01-01', kind: 'poor' },
    };
    const now = new Date('2025-01-01T00:00:00Z');
    for (const [open, to] of [
      [true, 'done'],
      [false, 'open'],
    ] as const) {
      const c = compileDefinition(guarded, registries(open));
      expect(applyEvent(c, startCase(c, now).snapshot, event, now)).toMatchObject({ outcome: 'applied', to });
    }
  });
});

describe('payloadSchemas', () => {
  const schema = compileDefinition(load(FIELDS)).payloadSchemas.RECORDED;
  const valid = { chair: 'An', attendees: 30, share: 0.75, agreed: false, heldOn: '2025-10-02', kind: 'near-poor' };
  const problems = (data: Record<string, unknown>) => {
    const r = schema.safeParse(data);
    return r.success
      ? []
      : r.error.issues.map((i) => (i.code === 'unrecognized_keys' ? i.keys.join(',') : i.path.join('.')));
  };

  it('has one schema per declared event', () => {
    expect(Object.keys(compiled.payloadSchemas).sort()).toEqual(Object.keys(review.events).sort());
    expect(compiled.payloadSchemas.POSTING_PERIOD_ENDED.safeParse({}).success).toBe(true);
  });

  it('accepts a valid payload, with or without optional fields', () => {
    expect(problems(valid)).toEqual([]);
    expect(problems({ ...valid, code: 'ABC', households: ['HH-1', 'HH-2'] })).toEqual([]);
  });

  it('requires required fields and only those', () => {
    const { chair: _c, attendees: _a, ...rest } = valid;
    expect(problems(rest)).toEqual(['chair', 'attendees']);
  });

  it('rejects unknown fields', () => {
    expect(problems({ ...valid, village: 'Thôn 3' })).toEqual(['village']);
  });

  it.each([
    ['a string longer than maxLength', { chair: 'Nguyễn' }, 'chair'],
    ['a blank string', { chair: '   ' }, 'chair'],
    ['a string shorter than minLength', { code: 'AB' }, 'code'],
    ['an integer below min', { attendees: 0 }, 'attendees'],
    ['an integer above max', { attendees: 501 }, 'attendees'],
    ['a non-integer', { attendees: 2.5 }, 'attendees'],
    ['a number above max', { share: 1.01 }, 'share'],
    ['a number below min', { share: -0.1 }, 'share'],
    ['a string for a boolean', { agreed: 'true' }, 'agreed'],
    ['a date in another format', { heldOn: '02/10/2025' }, 'heldOn'],
    ['an impossible date', { heldOn: '2025-13-01' }, 'heldOn'],
    ['a value outside the enum', { kind: 'rich' }, 'kind'],
    ['a list with too many items', { households: ['a', 'b', 'c'] }, 'households'],
    ['an empty list item', { households: [''] }, 'households.0'],
  ])('rejects %s', (_what, change, field) => {
    expect(problems({ ...valid, ...change })).toEqual([field]);
  });

  it('accepts the bounds themselves', () => {
    expect(problems({ ...valid, chair: 'Thanh', attendees: 1, share: 1 })).toEqual([]);
    expect(problems({ ...valid, attendees: 500, share: 0 })).toEqual([]);
  });
});

describe('mermaidDiagram', () => {
  const diagram = mermaidDiagram(review);
  const lines = diagram.split('\n');

  it('is a stateDiagram-v2 starting at the initial step', () => {
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines).toContain('  [*] --> listing');
    expect(lines).toContain('  completed --> [*]');
  });

  it('labels each step with its Vietnamese label, without colons', () => {
    expect(lines).toContain('  listing: Bước 1  Lập danh sách hộ cần rà soát');
  });

  it('draws each transition with its event and guard, a targetless one as a self-loop', () => {
    const transitions = lines.filter((l) => / --> [a-z_]+: /.test(l));
    expect(transitions).toEqual([
      '  listing --> survey: REVIEW_LIST_SUBMITTED',
      '  survey --> meeting: SURVEY_COMPLETED [compare]',
      '  meeting --> meeting: MEETING_HELD [not quorumReached]',
      '  meeting --> posting: MEETING_HELD [compare]',
      '  meeting --> survey: MEETING_HELD',
      '  posting --> posting: COMPLAINT_FILED',
      '  posting --> commune_report: POSTING_PERIOD_ENDED [counterIsZero]',
      '  posting --> recheck: POSTING_PERIOD_ENDED',
      '  recheck --> posting: RECHECK_COMPLETED',
      '  commune_report --> district_opinion: REPORT_SENT_TO_DISTRICT',
      '  district_opinion --> recognition: DISTRICT_OPINION_GIVEN [isTrue]',
      '  district_opinion --> recheck: DISTRICT_OPINION_GIVEN',
      '  recognition --> reporting: LISTS_RECOGNISED',
      '  reporting --> completed: REPORT_SUBMITTED',
    ]);
  });

  it('highlights the current step only when given', () => {
    expect(diagram).not.toContain('class ');
    const withCurrent = mermaidDiagram(review, 'posting').split('\n');
    expect(withCurrent).toContain('  class posting current');
    expect(withCurrent.filter((l) => l.trim().startsWith('classDef current'))).toHaveLength(1);
  });
});
