import { readFileSync } from 'fs';
import { join } from 'path';
import type { DefinitionError } from './definition-error';
import { loadDefinitionYaml } from './definition-loader';
import { resolveParams, validateDefinition } from './definition-validator';

/** 1-based line and column of the only occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; col: number } {
  const offset = text.indexOf(needle);
  if (offset < 0 || text.indexOf(needle, offset + 1) >= 0) throw new Error(`"${needle}" must occur exactly once`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

// A small, valid definition; each test breaks one thing in it.
const BASE = `id: demo
version: 1
title: Rà soát thử
sources: [QĐ 24/2021/QĐ-TTg]
roles:
  board: { label: Ban rà soát thôn, level: village }
  commune: { label: Ban chỉ đạo xã, level: commune }
parameters:
  opinionRatio: { value: 0.5, source: "QĐ 24/2021, Điều 4" }
  postingDays: { value: 3, source: "QĐ 24/2021, Điều 4" }
events:
  MEETING_HELD:
    label: Họp dân
    roles: [board]
    fields:
      attendees: { type: integer, min: 0 }
      opinionsGiven: { type: integer, min: 0 }
  PERIOD_ENDED:
    label: Hết thời gian niêm yết
    roles: [system]
initial: meeting
steps:
  meeting:
    label: Họp dân
    role: board
    source: QĐ 24/2021, Điều 4
    on:
      MEETING_HELD:
        - target: posting
          guard:
            name: quorumReached
            params: { numerator: { path: event.opinionsGiven }, denominator: { path: event.attendees }, ratio: { param: opinionRatio } }
          actions: [{ name: notify, params: { role: commune, template: meeting-held } }]
        - target: meeting
  posting:
    label: Niêm yết
    role: commune
    source: QĐ 24/2021, Điều 4
    deadline:
      due: { kind: workingDays, days: { param: postingDays }, from: stepEntered }
      onDue: PERIOD_ENDED
    on:
      PERIOD_ENDED: done
  done:
    type: final
    label: Xong
    outcome: recognised
`;

/** BASE with each `from` (which must occur exactly once) replaced by `to`. */
function variant(...edits: [from: string, to: string][]): string {
  return edits.reduce((text, [from, to]) => {
    positionOf(text, from);
    return text.replace(from, to);
  }, BASE);
}

function validate(text: string): DefinitionError[] {
  const loaded = loadDefinitionYaml(text, 'demo.yaml');
  if (!loaded.ok) throw new Error(`fixture must pass the schema: ${JSON.stringify(loaded.errors)}`);
  return validateDefinition(loaded.value, loaded.source);
}

/** The expected error, located at the line and column of `needle` in `text`. */
function at(text: string, needle: string, path: string, message: string | RegExp): DefinitionError {
  return {
    file: 'demo.yaml',
    ...positionOf(text, needle),
    path,
    message: typeof message === 'string' ? message : (expect.stringMatching(message) as unknown as string),
  };
}

const GUARD = '$.steps.meeting.on.MEETING_HELD[0].guard';

describe('validateDefinition', () => {
  it('accepts the base fixture', () => {
    expect(validate(BASE)).toEqual([]);
  });

  it('accepts the shipped national periodic review with zero errors', () => {
    const file = join(__dirname, '../../../workflows/national/2022-2025/periodic-review.yaml');
    const loaded = loadDefinitionYaml(readFileSync(file, 'utf8'), file);
    expect(loaded.ok && validateDefinition(loaded.value, loaded.source)).toEqual([]);
  });

  it('locates the first 100 errors and counts the rest', () => {
    const steps = Array.from(
      { length: 150 },
      (_, i) =>
        `  extra${i}:\n    label: X\n    role: board\n    source: QĐ 24/2021\n    on: { PERIOD_ENDED: nowhere${i} }\n`,
    ).join('');
    const errors = validate(BASE.replace('steps:\n', `steps:\n${steps}`));
    expect(errors).toHaveLength(101);
    expect(errors[100]).toMatchObject({
      path: '$',
      message: expect.stringMatching(
        /^Còn \d+ lỗi khác không hiển thị \(chỉ báo 100 lỗi đầu tiên\) \/ \d+ more errors not shown/,
      ),
    });
  });

  describe('references', () => {
    it('reports an unknown initial step and lists the steps', () => {
      const text = variant(['initial: meeting', 'initial: meting']);
      expect(validate(text)).toEqual([
        at(text, 'initial:', '$.initial', 'unknown step "meting"; steps are: meeting, posting, done'),
      ]);
    });

    it('reports a transition target that is not a step, at its "target"', () => {
      const text = variant(['        - target: meeting\n', '        - target: survey\n']);
      expect(validate(text)).toEqual([
        at(text, 'target: survey', '$.steps.meeting.on.MEETING_HELD[1].target', 'unknown step "survey"'),
      ]);
    });

    it('reports a short-form target that is not a step, at the event key', () => {
      const text = variant(['PERIOD_ENDED: done', 'PERIOD_ENDED: finished']);
      expect(validate(text)).toContainEqual(
        at(text, 'PERIOD_ENDED: finished', '$.steps.posting.on.PERIOD_ENDED', 'unknown step "finished"'),
      );
    });

    it('reports an event handled in "on" that is not declared', () => {
      const text = variant([
        '      PERIOD_ENDED: done\n',
        '      PERIOD_ENDED: done\n      COMPLAINT_FILED: posting\n',
      ]);
      expect(validate(text)).toEqual([
        at(
          text,
          'COMPLAINT_FILED',
          '$.steps.posting.on.COMPLAINT_FILED',
          'unknown event "COMPLAINT_FILED": declare it under events',
        ),
      ]);
    });

    it('reports a declared event that no step handles', () => {
      const text = variant([
        '  PERIOD_ENDED:\n    label',
        '  REOPENED:\n    label: Mở lại\n    roles: [commune]\n  PERIOD_ENDED:\n    label',
      ]);
      expect(validate(text)).toEqual([
        at(text, 'REOPENED:', '$.events.REOPENED', 'event "REOPENED" is declared but no step handles it'),
      ]);
    });

    it('reports an event role that is not declared', () => {
      const text = variant(['roles: [board]', 'roles: [board, chief]']);
      expect(validate(text)).toEqual([at(text, 'chief', '$.events.MEETING_HELD.roles[1]', 'unknown role "chief"')]);
    });

    it("reports a step's unknown role", () => {
      const text = variant(['    role: commune\n', '    role: chief\n']);
      expect(validate(text)).toEqual([at(text, 'role: chief', '$.steps.posting.role', 'unknown role "chief"')]);
    });
  });

  describe('roles: the level each acts from, and who enters on behalf of whom', () => {
    const COMMUNE = '  commune: { label: Ban chỉ đạo xã, level: commune }\n';
    const PROXY = '{ role: commune, onBehalfOf: board, source: "QĐ 24/2021, Điều 4 — xã lập danh sách cùng thôn" }';

    it('refuses a role whose level disagrees with the level the role acts from (ROLE_LEVELS), naming the role and its path', () => {
      const text = variant([
        COMMUNE,
        `${COMMUNE}  village_board: { label: Ban rà soát thôn, level: commune }\n  national_admin: { label: Quản trị, level: province }\n`,
      ]);
      expect(validate(text)).toEqual([
        at(
          text,
          'level: commune }\n  national',
          '$.roles.village_board.level',
          'role "village_board" acts from level "village", not "commune" (ROLE_LEVELS in libs/contracts/src/roles.ts; its tokens are valid only at a unit of that level)',
        ),
        at(
          text,
          'level: province',
          '$.roles.national_admin.level',
          /^role "national_admin" acts from level "national", not "province"/,
        ),
      ]);
    });

    it('accepts roles declared at their own level, and names that are not user roles', () => {
      const text = variant([
        COMMUNE,
        `${COMMUNE}  village_board: { label: Ban rà soát thôn, level: village }\n  national_admin: { label: Quản trị, level: national }\n`,
      ]);
      expect(validate(text)).toEqual([]);
    });

    it('accepts a role entering an event on behalf of a role below it', () => {
      expect(validate(variant(['    roles: [board]\n', `    roles: [board]\n    proxies: [${PROXY}]\n`]))).toEqual([]);
    });

    it('refuses a proxy that is not a declared role, that already sends the event, or that is listed twice', () => {
      let text = variant([
        '    roles: [board]\n',
        '    roles: [board]\n    proxies: [{ role: chief, onBehalfOf: board, source: "QĐ 24" }]\n',
      ]);
      expect(validate(text)).toEqual([
        at(text, 'role: chief', '$.events.MEETING_HELD.proxies[0].role', 'unknown role "chief"'),
      ]);
      text = variant(['    roles: [board]\n', `    roles: [board, commune]\n    proxies: [${PROXY}]\n`]);
      expect(validate(text)).toEqual([
        at(
          text,
          'role: commune, onBehalfOf',
          '$.events.MEETING_HELD.proxies[0].role',
          '"commune" already sends "MEETING_HELD" in its own name (roles); list it in one place only',
        ),
      ]);
      text = variant([
        '    roles: [board]\n',
        `    roles: [board]\n    proxies:\n      - ${PROXY}\n      - { role: commune, onBehalfOf: board, source: "QĐ 24 bis" }\n`,
      ]);
      expect(validate(text)).toEqual([
        at(
          text,
          'role: commune, onBehalfOf: board, source: "QĐ 24 bis"',
          '$.events.MEETING_HELD.proxies[1].role',
          /already a proxy of "MEETING_HELD"/,
        ),
      ]);
    });

    it('refuses a proxy for a role the event does not list, or for a role at its own level or above', () => {
      let text = variant([
        '    roles: [board]\n',
        '    roles: [board]\n    proxies: [{ role: commune, onBehalfOf: chief, source: "QĐ 24" }]\n',
      ]);
      expect(validate(text)).toEqual([
        at(
          text,
          'onBehalfOf: chief',
          '$.events.MEETING_HELD.proxies[0].onBehalfOf',
          '"chief" is not one of the roles of "MEETING_HELD": board',
        ),
      ]);
      text = variant([
        '    roles: [system]\n',
        '    roles: [system, commune]\n    proxies: [{ role: board, onBehalfOf: commune, source: "QĐ 24" }]\n',
      ]);
      expect(validate(text)).toEqual([
        at(
          text,
          'role: board, onBehalfOf',
          '$.events.PERIOD_ENDED.proxies[0].role',
          '"board" (village) cannot enter for "commune" (commune): a proxy acts from a level above the role it stands in for',
        ),
      ]);
    });
  });

  describe('guards', () => {
    it('reports an unknown guard named as a string', () => {
      const text = variant([
        '          guard:\n            name: quorumReached\n            params: { numerator: { path: event.opinionsGiven }, denominator: { path: event.attendees }, ratio: { param: opinionRatio } }\n',
        '          guard: enoughOpinions\n',
      ]);
      expect(validate(text)).toEqual([
        at(
          text,
          'guard: enoughOpinions',
          GUARD,
          /^unknown guard "enoughOpinions"; known guards: compare, quorumReached, counterIsZero, isTrue, allHouseholdsSurveyed, noOpenComplaints, householdsAgreed, or an expression \{ expr: "..." \}$/,
        ),
      ]);
    });

    it('reports an unknown guard named in an object at its "name"', () => {
      const text = variant(['name: quorumReached', 'name: quorum']);
      expect(validate(text)).toEqual([at(text, 'name: quorum', `${GUARD}.name`, /^unknown guard "quorum"/)]);
    });

    it('reports bad guard parameters at the parameter (a ratio of 2)', () => {
      const text = variant(['ratio: { param: opinionRatio }', 'ratio: 2']);
      expect(validate(text)).toEqual([at(text, 'ratio: 2', `${GUARD}.params.ratio`, /<=1/)]);
    });

    it('reports a bad parameter value that came from a definition parameter', () => {
      const text = variant(['opinionRatio: { value: 0.5,', 'opinionRatio: { value: 1.5,']);
      expect(validate(text)).toEqual([at(text, 'ratio: { param: opinionRatio }', `${GUARD}.params.ratio`, /<=1/)]);
    });

    it('reports a missing guard parameter by name, located at the params', () => {
      const text = variant([', ratio: { param: opinionRatio } }', ' }']);
      expect(validate(text)).toEqual([at(text, 'params: { numerator', `${GUARD}.params.ratio`, /expected number/)]);
    });

    it('reports an operand path to a field the event does not have', () => {
      const text = variant(['{ path: event.attendees }', '{ path: event.present }']);
      expect(validate(text)).toEqual([
        at(
          text,
          'params: { numerator',
          `${GUARD}.params`,
          '"event.present": event "MEETING_HELD" has no field "present"',
        ),
      ]);
    });

    it('reports data.EVENT.field paths to an unknown event or field', () => {
      const unknownEvent = variant(['{ path: event.attendees }', '{ path: data.SURVEY_COMPLETED.householdCount }']);
      expect(validate(unknownEvent)).toEqual([
        at(
          unknownEvent,
          'params: { numerator',
          `${GUARD}.params`,
          '"data.SURVEY_COMPLETED.householdCount": unknown event "SURVEY_COMPLETED"',
        ),
      ]);
      const unknownField = variant(['{ path: event.attendees }', '{ path: data.MEETING_HELD.present }']);
      expect(validate(unknownField)).toEqual([
        at(
          unknownField,
          'params: { numerator',
          `${GUARD}.params`,
          '"data.MEETING_HELD.present": event "MEETING_HELD" has no field "present"',
        ),
      ]);
    });

    it('reports an operand path with an unknown root through the operand schema', () => {
      const text = variant(['{ path: event.attendees }', '{ path: household.size }']);
      expect(validate(text)).toEqual([
        at(text, 'path: household.size', `${GUARD}.params.denominator.path`, /event\.field/),
      ]);
    });

    it('reports an unknown { param } reference', () => {
      const text = variant(['ratio: { param: opinionRatio }', 'ratio: { param: quorumRatio }']);
      expect(validate(text)).toContainEqual(
        at(text, 'params: { numerator', `${GUARD}.params`, 'unknown parameter "quorumRatio"'),
      );
    });
  });

  describe('actions', () => {
    const ACTION = '$.steps.meeting.on.MEETING_HELD[0].actions[0]';

    it('reports an unknown action named as a string', () => {
      const text = variant([
        'actions: [{ name: notify, params: { role: commune, template: meeting-held } }]',
        'actions: [archive]',
      ]);
      expect(validate(text)).toEqual([
        at(text, 'archive', ACTION, /^unknown action "archive"; known actions: increment, resetCounter, notify$/),
      ]);
    });

    it('reports an unknown action named in an object at its "name"', () => {
      const text = variant(['name: notify', 'name: sms']);
      expect(validate(text)).toEqual([at(text, 'name: sms', `${ACTION}.name`, /^unknown action "sms"/)]);
    });

    it('reports a notify action addressed to an unknown role', () => {
      const text = variant(['role: commune, template', 'role: mayor, template']);
      expect(validate(text)).toEqual([at(text, 'role: mayor', `${ACTION}.params.role`, 'unknown role "mayor"')]);
    });

    it('reports bad action parameters at the parameter', () => {
      const text = variant(['template: meeting-held', 'template: Meeting Held']);
      expect(validate(text)).toEqual([at(text, 'template: Meeting Held', `${ACTION}.params.template`, /.+/)]);
    });
  });

  describe('steps and the graph', () => {
    it('requires a task step to cite its legal source', () => {
      const text = variant(['    role: commune\n    source: QĐ 24/2021, Điều 4\n', '    role: commune\n']);
      expect(validate(text)).toEqual([
        at(text, 'posting:\n', '$.steps.posting', 'a task step must cite its legal "source"'),
      ]);
    });

    it('requires a task step to name its role', () => {
      const text = variant(['    role: commune\n', '']);
      expect(validate(text)).toEqual([
        at(text, 'posting:\n', '$.steps.posting', 'a task step must name the responsible "role"'),
      ]);
    });

    it('reports an unreachable step', () => {
      const text = variant([
        '  done:\n',
        '  archive:\n    label: Lưu trữ\n    role: commune\n    source: QĐ 24/2021\n    on: { PERIOD_ENDED: done }\n  done:\n',
      ]);
      expect(validate(text)).toEqual([
        at(text, 'archive:', '$.steps.archive', 'unreachable step "archive": no transition leads to it from "meeting"'),
      ]);
    });

    it('reports a non-final step without transitions as a dead end', () => {
      const text = variant(
        ['        - target: meeting\n', '        - target: limbo\n'],
        ['  done:\n', '  limbo:\n    label: Treo\n    role: board\n    source: QĐ 24/2021\n  done:\n'],
      );
      expect(validate(text)).toEqual([
        at(text, 'limbo:\n', '$.steps.limbo', 'dead end: a non-final step needs at least one transition'),
      ]);
    });

    it('reports steps from which no final step can be reached (a cycle with no exit)', () => {
      const text = variant(
        ['        - target: meeting\n', '        - target: loopA\n'],
        [
          '  done:\n',
          '  loopA:\n    label: A\n    role: board\n    source: QĐ 24/2021\n    on: { MEETING_HELD: loopB }\n  loopB:\n    label: B\n    role: board\n    source: QĐ 24/2021\n    on: { MEETING_HELD: loopA }\n  done:\n',
        ],
      );
      expect(validate(text)).toEqual([
        at(text, 'loopA:\n', '$.steps.loopA', 'no final step can be reached from "loopA"'),
        at(text, 'loopB:\n', '$.steps.loopB', 'no final step can be reached from "loopB"'),
      ]);
    });

    it('requires at least one final step', () => {
      const text = variant([
        '    type: final\n    label: Xong\n    outcome: recognised\n',
        '    label: Xong\n    role: board\n    source: QĐ 24/2021\n    on: { PERIOD_ENDED: done }\n',
      ]);
      const errors = validate(text);
      expect(errors).toContainEqual(at(text, 'steps:', '$.steps', 'at least one final step is needed here'));
    });

    it('forbids transitions and deadlines on a final step', () => {
      const text = variant([
        '    outcome: recognised\n',
        '    outcome: recognised\n    deadline: { due: { kind: windowEnd } }\n    on: { PERIOD_ENDED: posting }\n',
      ]);
      expect(validate(text)).toEqual([
        at(text, 'on: { PERIOD_ENDED: posting }', '$.steps.done.on', 'a final step cannot have transitions'),
        at(
          text,
          'deadline: { due: { kind: windowEnd } }',
          '$.steps.done.deadline',
          'a final step cannot have a deadline',
        ),
      ]);
    });

    it('reports an unguarded transition that is not the last one', () => {
      const text = variant(['        - target: meeting\n', '        - target: meeting\n        - target: done\n']);
      expect(validate(text)).toEqual([
        at(
          text,
          'target: meeting',
          '$.steps.meeting.on.MEETING_HELD[1]',
          'only the last transition of an event may be unguarded; the ones after it can never be taken',
        ),
      ]);
    });
  });

  describe('deadlines', () => {
    it('reports an onDue event the step does not handle', () => {
      const text = variant(
        [
          '  PERIOD_ENDED:\n    label',
          '  POSTING_CLOSED:\n    label: Đóng niêm yết\n    roles: [system]\n  PERIOD_ENDED:\n    label',
        ],
        ['      PERIOD_ENDED: done', '      POSTING_CLOSED: done'],
      );
      expect(validate(text)).toEqual([
        at(
          text,
          'onDue: PERIOD_ENDED',
          '$.steps.posting.deadline.onDue',
          'step "posting" does not handle "PERIOD_ENDED"',
        ),
        at(
          text,
          'PERIOD_ENDED:\n    label',
          '$.events.PERIOD_ENDED',
          'event "PERIOD_ENDED" is declared but no step handles it',
        ),
      ]);
    });

    it('reports an onDue event that is not a system event', () => {
      const text = variant(['roles: [system]', 'roles: [commune]']);
      expect(validate(text)).toEqual([
        at(
          text,
          'onDue: PERIOD_ENDED',
          '$.steps.posting.deadline.onDue',
          'event "PERIOD_ENDED" must list the role "system" to be sent by a deadline',
        ),
      ]);
    });

    it('reports an onDue event that is not declared', () => {
      const text = variant(['onDue: PERIOD_ENDED', 'onDue: TIME_UP']);
      expect(validate(text)).toEqual([
        at(text, 'onDue: TIME_UP', '$.steps.posting.deadline.onDue', 'unknown event "TIME_UP"'),
        at(text, 'onDue: TIME_UP', '$.steps.posting.deadline.onDue', 'step "posting" does not handle "TIME_UP"'),
      ]);
    });

    it('reports a "from" that is not a milestone', () => {
      const text = variant(['from: stepEntered', 'from: surveyDone']);
      expect(validate(text)).toEqual([
        at(
          text,
          'from: surveyDone',
          '$.steps.posting.deadline.due.from',
          'unknown milestone "surveyDone": use stepEntered, campaignStart or a step id',
        ),
      ]);
    });

    it('accepts campaignStart and step ids as milestones', () => {
      expect(validate(variant(['from: stepEntered', 'from: campaignStart']))).toEqual([]);
      expect(validate(variant(['from: stepEntered', 'from: meeting']))).toEqual([]);
    });

    it('checks every rule inside "earliest", with its index in the path', () => {
      const text = variant([
        'due: { kind: workingDays, days: { param: postingDays }, from: stepEntered }',
        'due: { kind: earliest, of: [{ kind: windowEnd }, { kind: calendarDays, days: 5, from: surveyDone }] }',
      ]);
      expect(validate(text)).toEqual([
        at(text, 'from: surveyDone', '$.steps.posting.deadline.due.of[1].from', /^unknown milestone "surveyDone"/),
      ]);
    });

    it('reports an unknown or non-integer day-count parameter', () => {
      const unknown = variant(['days: { param: postingDays }', 'days: { param: postingPeriod }']);
      expect(validate(unknown)).toEqual([
        at(
          unknown,
          'days: { param: postingPeriod }',
          '$.steps.posting.deadline.due.days',
          'unknown parameter "postingPeriod"',
        ),
      ]);
      const fractional = variant(['postingDays: { value: 3,', 'postingDays: { value: 2.5,']);
      expect(validate(fractional)).toEqual([
        at(
          fractional,
          'days: { param: postingDays }',
          '$.steps.posting.deadline.due.days',
          'parameter "postingDays" must be a non-negative integer',
        ),
      ]);
    });
  });

  it('reports every error at once', () => {
    const text = variant(
      ['initial: meeting', 'initial: meting'],
      ['    role: commune\n', '    role: chief\n'],
      ['name: notify', 'name: sms'],
    );
    expect(validate(text).map((e) => e.path)).toEqual([
      '$.initial',
      '$.steps.meeting.on.MEETING_HELD[0].actions[0].name',
      '$.steps.posting.role',
    ]);
  });

  it('uses line 0 when no source map is given', () => {
    const loaded = loadDefinitionYaml(variant(['initial: meeting', 'initial: meting']), 'demo.yaml');
    if (!loaded.ok) throw new Error('fixture must load');
    expect(validateDefinition(loaded.value)).toEqual([
      { file: '<definition>', line: 0, col: 0, path: '$.initial', message: expect.stringMatching(/^unknown step/) },
    ]);
  });
});

describe('resolveParams', () => {
  const loaded = loadDefinitionYaml(BASE, 'demo.yaml');
  if (!loaded.ok) throw new Error('fixture must load');
  const definition = loaded.value;

  it('replaces { param } anywhere in nested data and leaves other values alone', () => {
    expect(
      resolveParams(
        { a: { param: 'postingDays' }, b: [{ param: 'opinionRatio' }, 'x'], c: { param: 'postingDays', other: 1 } },
        definition,
      ),
    ).toEqual({
      a: 3,
      b: [0.5, 'x'],
      c: { param: 'postingDays', other: 1 },
    });
  });

  it('reports unknown names and leaves the reference in place', () => {
    const unknown: string[] = [];
    expect(resolveParams({ days: { param: 'nope' } }, definition, (n) => unknown.push(n))).toEqual({
      days: { param: 'nope' },
    });
    expect(unknown).toEqual(['nope']);
  });
});
