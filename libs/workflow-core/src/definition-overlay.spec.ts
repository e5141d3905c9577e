import { loadDefinitionDocument, type BaseResolver } from './definition-overlay';
import { validateDefinition } from './definition-validator';

/** 1-based line and column of the only occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; col: number } {
  const offset = text.indexOf(needle);
  if (offset < 0 || text.indexOf(needle, offset + 1) >= 0) throw new Error(`"${needle}" must occur exactly once`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

const BASE = `id: national
version: 1
title: Rà soát quốc gia
sources: [QĐ 24/2021/QĐ-TTg]
roles:
  board: { label: Ban rà soát thôn, level: village }
  commune: { label: Ban chỉ đạo xã, level: commune }
parameters:
  opinionRatio: { value: 0.5, source: "QĐ 24/2021, Điều 4" }
events:
  LIST_DONE: { label: Lập danh sách, roles: [board] }
  MEETING_HELD:
    label: Họp dân
    roles: [board]
    fields:
      attendees: { type: integer, min: 0 }
      opinionsGiven: { type: integer, min: 0 }
initial: listing
steps:
  listing:
    label: Lập danh sách
    role: board
    source: QĐ 24/2021, Điều 4
    deadline:
      due: { kind: windowEnd }
      reminders: [{ workingDaysBefore: 5 }]
    on:
      LIST_DONE: meeting
  meeting:
    label: Họp dân
    role: board
    source: QĐ 24/2021, Điều 4
    on:
      MEETING_HELD:
        - target: done
          guard: { expr: "event.opinionsGiven >= params.opinionRatio * event.attendees" }
        - target: meeting
  done:
    type: final
    label: Xong
`;

const resolver: BaseResolver = (key) => {
  if (key !== 'national@1') return undefined;
  const base = loadDefinitionDocument(BASE, 'national.yaml');
  if (!base.ok) throw new Error(base.errors.map((e) => `${e.path} ${e.message}`).join('\n'));
  return { definition: base.value, source: base.source };
};

const HEADER = `extends: national@1
id: province-20
version: 1
province: "20"
sources: [Kế hoạch 123/KH-UBND tỉnh Lạng Sơn 2024]
`;

function load(text: string) {
  const loaded = loadDefinitionDocument(text, 'overlay.yaml', resolver);
  if (!loaded.ok) return { errors: loaded.errors };
  return { definition: loaded.value, errors: validateDefinition(loaded.value, loaded.source) };
}

describe('province overlays', () => {
  it('patches parameters, deadlines and labels, and keeps everything else from the base', () => {
    const { definition, errors } = load(`${HEADER}patch:
  window: { start: 2024-09-01, end: 2024-12-14 }
  parameters:
    opinionRatio: { value: 0.6 }
  steps:
    listing:
      label: { vi: Lập danh sách (Lạng Sơn), en: Listing }
      deadline:
        reminders: [{ workingDaysBefore: 10 }, { workingDaysBefore: 3 }]
`);
    expect(errors).toEqual([]);
    expect(definition?.parameters.opinionRatio).toEqual({ value: 0.6, source: 'QĐ 24/2021, Điều 4', uncertain: false });
    expect(definition?.steps.listing.deadline).toEqual({
      due: { kind: 'windowEnd' },
      reminders: [{ workingDaysBefore: 10 }, { workingDaysBefore: 3 }],
    });
    expect(definition?.steps.listing.label).toEqual({ vi: 'Lập danh sách (Lạng Sơn)', en: 'Listing' });
    expect(definition?.steps.meeting).toBeDefined();
    expect(definition).toMatchObject({
      id: 'province-20',
      province: '20',
      extends: 'national@1',
      window: { start: '2024-09-01', end: '2024-12-14' },
    });
    expect(definition?.sources).toEqual(['QĐ 24/2021/QĐ-TTg', 'Kế hoạch 123/KH-UBND tỉnh Lạng Sơn 2024']);
  });

  it('adds a step and an event, and reroutes an existing transition to it', () => {
    const { definition, errors } = load(`${HEADER}add:
  events:
    CROSS_CHECKED: { label: Kiểm tra chéo, roles: [commune] }
  steps:
    cross_check:
      label: Kiểm tra chéo giữa các thôn
      role: commune
      source: Kế hoạch 123/KH-UBND
      on:
        CROSS_CHECKED: meeting
patch:
  steps:
    listing:
      on:
        LIST_DONE: cross_check
`);
    expect(errors).toEqual([]);
    expect(Object.keys(definition?.steps ?? {})).toEqual(['listing', 'meeting', 'done', 'cross_check']);
    expect(definition?.steps.listing.on.LIST_DONE).toBe('cross_check');
  });

  it('removes a step with null and rewires around it', () => {
    const { definition, errors } = load(`${HEADER}patch:
  steps:
    meeting: null
    listing:
      on:
        LIST_DONE: done
  events:
    MEETING_HELD: null
`);
    expect(errors).toEqual([]);
    expect(Object.keys(definition?.steps ?? {})).toEqual(['listing', 'done']);
  });

  it.each([
    [
      'a misspelt step',
      `patch:\n  steps:\n    listin:\n      label: X\n`,
      'listin:',
      '$.patch.steps.listin',
      /^patch targets nothing: the base's \$\.steps has no "listin" \(it has: listing, meeting, done\); to add a new one, put it under "add"$/,
    ],
    [
      'an unknown parameter',
      `patch:\n  parameters:\n    quorum: { value: 1 }\n`,
      'quorum:',
      '$.patch.parameters.quorum',
      /has no "quorum"/,
    ],
    [
      'an unknown event in "on"',
      `patch:\n  steps:\n    listing:\n      on:\n        LIST_SENT: meeting\n`,
      'LIST_SENT:',
      '$.patch.steps.listing.on.LIST_SENT',
      /has no "LIST_SENT"/,
    ],
    [
      'removing what is not there',
      `patch:\n  steps:\n    listing:\n      deadline:\n        escalation: null\n`,
      'escalation:',
      '$.patch.steps.listing.deadline.escalation',
      /^nothing to remove/,
    ],
    [
      'adding an existing step',
      `add:\n  steps:\n    listing:\n      label: X\n`,
      'label: X',
      '$.add.steps.listing.label',
      /"add" only adds entries to .*"label" is not one: change it under "patch"/,
    ],
    [
      'adding an existing event as a whole',
      `add:\n  events:\n    LIST_DONE: x\n`,
      'LIST_DONE: x',
      '$.add.events.LIST_DONE',
      /"LIST_DONE" already exists in the base's \$\.events; change it under "patch"/,
    ],
    [
      'adding outside a collection',
      `add:\n  window: { start: 09-01, end: 12-14 }\n`,
      'window:',
      '$.add.window',
      /"add" only adds entries to/,
    ],
  ])('reports %s at the overlay line', (_name, body, needle, path, message) => {
    const text = `${HEADER}${body}`;
    const { errors } = load(text);
    expect(errors).toEqual([
      { file: 'overlay.yaml', ...positionOf(text, needle), path, message: expect.stringMatching(message) },
    ]);
  });

  it('validates the merged result as a whole: a schema error in the patch points into the overlay', () => {
    const text = `${HEADER}patch:\n  steps:\n    listing:\n      deadline:\n        reminders: [{ workingDaysBefore: -2 }]\n`;
    const { errors } = load(text);
    expect(errors).toEqual([
      {
        file: 'overlay.yaml',
        ...positionOf(text, 'workingDaysBefore: -2'),
        path: '$.patch.steps.listing.deadline.reminders[0].workingDaysBefore',
        message: expect.stringMatching(/>0|positive|too small/i),
      },
    ]);
  });

  it('a semantic error caused by the overlay in an added step points into the overlay', () => {
    const text = `${HEADER}add:\n  steps:\n    extra:\n      label: Thêm\n      role: nobody\n      source: KH 123\n      on: { LIST_DONE: done }\n`;
    const { errors } = load(text);
    expect(errors).toContainEqual({
      file: 'overlay.yaml',
      ...positionOf(text, 'role: nobody'),
      path: '$.add.steps.extra.role',
      message: 'unknown role "nobody"',
    });
    expect(errors).toContainEqual(
      expect.objectContaining({
        file: 'overlay.yaml',
        path: '$.add.steps.extra',
        message: 'unreachable step "extra": no transition leads to it from "listing"',
      }),
    );
  });

  it('an inherited part broken by the overlay points into the base file and says so', () => {
    const text = `${HEADER}patch:\n  events:\n    LIST_DONE: null\n`;
    const { errors } = load(text);
    expect(errors).toContainEqual({
      file: 'national.yaml',
      ...positionOf(BASE, 'LIST_DONE: meeting'),
      path: '$.steps.listing.on.LIST_DONE',
      message: 'unknown event "LIST_DONE": declare it under events (inherited from national@1; merged by overlay.yaml)',
    });
  });

  it('reports an unknown base and a malformed header', () => {
    expect(load('extends: nowhere@3\nid: x\nversion: 1\n').errors).toEqual([
      {
        file: 'overlay.yaml',
        line: 1,
        col: 1,
        path: '$.extends',
        message: 'unknown definition "nowhere@3": no published or shipped definition has this id and version',
      },
    ]);
    expect(load('extends: national@1\nid: X\nversion: 0\nsteps: {}\n').errors.map((e) => e.path)).toEqual([
      '$.id',
      '$.version',
      '$.steps',
    ]);
  });

  it('a date deadline outside the province window is reported where the overlay sets it', () => {
    const text = `${HEADER}patch:\n  window: { start: 2024-09-01, end: 2024-12-14 }\n  steps:\n    listing:\n      deadline:\n        due: { kind: date, date: 2024-12-20 }\n`;
    const { errors } = load(text);
    expect(errors).toEqual([
      {
        file: 'overlay.yaml',
        ...positionOf(text, 'date: 2024-12-20'),
        path: '$.patch.steps.listing.deadline.due.date',
        message: '2024-12-20 is outside the campaign window 2024-09-01 – 2024-12-14',
      },
    ]);
  });
});
