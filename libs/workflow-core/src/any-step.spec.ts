import { allowedEvents, applyEvent, startCase, type CaseSnapshot, type TransitionResult } from './case-transition';
import { compileDefinition } from './definition-compiler';
import { loadDefinitionDocument, type LocatedDefinition } from './definition-overlay';
import { loadDefinitionYaml } from './definition-loader';
import { validateDefinition } from './definition-validator';
import { definitionJsonSchema } from './definition.schema';
import { mermaidDiagram } from './mermaid-diagram';

// A supervision task (a sample re-survey) that is recorded and counted in any step, a parallel
// step's regions included, and never moves the village.
const TEXT = `id: any-step-demo
version: 1
title: Rà soát có giám sát không chặn
sources: [QĐ 24/2021/QĐ-TTg]
roles:
  board: { label: Ban rà soát thôn, level: village }
  commune: { label: Ban chỉ đạo xã, level: commune }
events:
  SURVEY_COMPLETED: { label: Xong thu thập, roles: [board] }
  CHECK_A_DONE: { label: Xong nhánh A, roles: [commune] }
  CHECK_B_DONE: { label: Xong nhánh B, roles: [commune] }
  SAMPLE_RESURVEYED:
    label: Rà soát mẫu (giám sát)
    roles: [commune]
    fields:
      householdsSampled: { type: integer, min: 1 }
      discrepanciesFound: { type: integer, min: 0 }
  MEETING_HELD: { label: Họp dân, roles: [board] }
initial: survey
anyStep:
  SAMPLE_RESURVEYED:
    guard: { expr: "event.discrepanciesFound <= event.householdsSampled" }
    actions: [{ name: increment, params: { counter: sampleResurveys } }]
steps:
  survey:
    label: Thu thập
    role: board
    source: QĐ 24/2021, Điều 4
    deadline: { due: { kind: workingDays, days: 5, from: stepEntered } }
    on: { SURVEY_COMPLETED: checks }
  checks:
    type: parallel
    label: Kiểm tra
    source: QĐ 24/2021, Điều 4
    regions:
      a:
        initial: check_a
        steps:
          check_a: { label: Nhánh A, role: commune, source: QĐ 24/2021, on: { CHECK_A_DONE: a_done } }
          a_done: { type: final, label: Xong A }
      b:
        initial: check_b
        steps:
          check_b: { label: Nhánh B, role: commune, source: QĐ 24/2021, on: { CHECK_B_DONE: b_done } }
          b_done: { type: final, label: Xong B }
    onDone: meeting
  meeting:
    label: Họp dân
    role: board
    source: QĐ 24/2021, Điều 4
    on: { MEETING_HELD: done }
  done: { type: final, label: Xong, outcome: recognised }
`;

const T0 = new Date('2026-09-01T02:00:00Z');
const day = (n: number) => new Date(T0.getTime() + n * 86_400_000);

function load(text: string): LocatedDefinition {
  const loaded = loadDefinitionYaml(text, 'demo.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return { definition: loaded.value, source: loaded.source };
}
const errorsOf = (text: string) => {
  const { definition, source } = load(text);
  return validateDefinition(definition, source);
};
const applied = (result: TransitionResult) => {
  if (result.outcome !== 'applied') throw new Error(`${result.code}: ${result.message}`);
  return result;
};
const sample = (householdsSampled: number, discrepanciesFound: number) => ({
  type: 'SAMPLE_RESURVEYED',
  data: { householdsSampled, discrepanciesFound },
});

describe('anyStep: events accepted in any step that never move the case', () => {
  const compiled = compileDefinition(load(TEXT).definition);

  it('records and counts the event in whatever step the case is, regions included, without moving it or touching deadlines', () => {
    let snapshot: CaseSnapshot = startCase(compiled, T0).snapshot;
    const first = applied(applyEvent(compiled, snapshot, sample(5, 2), day(1)));
    expect(first).toMatchObject({ from: 'survey', to: 'survey', effects: [] });
    expect(first.snapshot.context.counters).toEqual({ sampleResurveys: 1 });
    expect(first.snapshot.context.data.SAMPLE_RESURVEYED).toEqual({ householdsSampled: 5, discrepanciesFound: 2 });
    expect(first.snapshot.context.milestones.survey).toBe(snapshot.context.milestones.survey);
    snapshot = first.snapshot;

    snapshot = applied(applyEvent(compiled, snapshot, { type: 'SURVEY_COMPLETED', data: {} }, day(2))).snapshot;
    snapshot = applied(applyEvent(compiled, snapshot, { type: 'CHECK_A_DONE', data: {} }, day(3))).snapshot;
    expect(snapshot).toMatchObject({ step: 'checks', regions: { a: 'a_done', b: 'check_b' } });
    const inRegion = applied(applyEvent(compiled, snapshot, sample(3, 0), day(4)));
    expect(inRegion.snapshot).toMatchObject({ step: 'checks', regions: { a: 'a_done', b: 'check_b' } });
    expect(inRegion.snapshot.context.counters.sampleResurveys).toBe(2);
    expect(inRegion.snapshot.context.data.SAMPLE_RESURVEYED).toEqual({ householdsSampled: 3, discrepanciesFound: 0 });
    snapshot = applied(applyEvent(compiled, inRegion.snapshot, { type: 'CHECK_B_DONE', data: {} }, day(5))).snapshot;
    expect(snapshot.step).toBe('meeting');
    snapshot = applied(applyEvent(compiled, snapshot, sample(1, 1), day(6))).snapshot;
    expect(snapshot).toMatchObject({ step: 'meeting', context: { counters: { sampleResurveys: 3 } } });
  });

  it('lists the event as allowed in every step; its guard and payload are checked; a completed case refuses it', () => {
    const start = startCase(compiled, T0).snapshot;
    expect(allowedEvents(compiled, start)).toEqual(['SURVEY_COMPLETED', 'SAMPLE_RESURVEYED']);
    expect(applyEvent(compiled, start, sample(2, 3), day(1))).toMatchObject({
      outcome: 'rejected',
      code: 'GUARD_REJECTED',
    });
    expect(applyEvent(compiled, start, sample(0, 0), day(1))).toMatchObject({
      outcome: 'rejected',
      code: 'INVALID_PAYLOAD',
    });
    const done: CaseSnapshot = { ...start, step: 'done', status: 'done' };
    expect(allowedEvents(compiled, done)).toEqual([]);
    expect(applyEvent(compiled, done, sample(2, 0), day(1))).toMatchObject({
      outcome: 'rejected',
      code: 'CASE_COMPLETED',
    });
  });

  it('notes the events in the diagram instead of drawing an edge from every step', () => {
    const diagram = mermaidDiagram(compiled.definition);
    expect(diagram).toContain(
      '  note right of survey: ở mọi bước, không chuyển bước / in any step, no move - SAMPLE_RESURVEYED',
    );
    expect(diagram).not.toContain('--> survey: SAMPLE_RESURVEYED');
  });

  it('is in the editor schema, and optional: a definition without it keeps its content', () => {
    const properties = (definitionJsonSchema() as { properties: Record<string, unknown> }).properties;
    expect(properties).toHaveProperty('anyStep');
    expect(
      'anyStep' in
        load(TEXT.replace(/anyStep:\n(.+\n){3}/, '').replace(/ {2}SAMPLE_RESURVEYED:\n(.+\n){5}/, '')).definition,
    ).toBe(false);
  });

  describe('validation, each error at its place', () => {
    it('accepts the fixture', () => {
      expect(errorsOf(TEXT)).toEqual([]);
    });

    it('refuses a target: such an event never moves the case', () => {
      const text = TEXT.replace(
        '    actions: [{ name: increment, params: { counter: sampleResurveys } }]\n',
        '    actions: [{ name: increment, params: { counter: sampleResurveys } }]\n    target: meeting\n',
      );
      expect(errorsOf(text)).toEqual([
        expect.objectContaining({
          path: '$.anyStep.SAMPLE_RESURVEYED.target',
          line: 24,
          message: expect.stringContaining('never moves the case: remove the target "meeting"'),
        }),
      ]);
      // The short form names a target too.
      expect(errorsOf(text.replace(/anyStep:\n(.+\n){4}/, 'anyStep:\n  SAMPLE_RESURVEYED: meeting\n'))).toEqual([
        expect.objectContaining({
          path: '$.anyStep.SAMPLE_RESURVEYED',
          message: expect.stringContaining('remove the target'),
        }),
      ]);
    });

    it('refuses an undeclared event, and an event also handled by a step', () => {
      const unknown = errorsOf(TEXT.replace('anyStep:\n  SAMPLE_RESURVEYED:', 'anyStep:\n  SAMPLE_REDONE:'));
      expect(unknown.map((e) => [e.path, e.line, e.message])).toEqual([
        ['$.anyStep.SAMPLE_REDONE', 21, 'unknown event "SAMPLE_REDONE": declare it under events'],
        [
          '$.anyStep.SAMPLE_REDONE.guard.expr',
          22,
          '"event.discrepanciesFound": event "SAMPLE_REDONE" has no field "discrepanciesFound"',
        ],
        [
          '$.anyStep.SAMPLE_REDONE.guard.expr',
          22,
          '"event.householdsSampled": event "SAMPLE_REDONE" has no field "householdsSampled"',
        ],
        ['$.events.SAMPLE_RESURVEYED', 12, 'event "SAMPLE_RESURVEYED" is declared but no step handles it'],
      ]);
      const twice = TEXT.replace(
        'on: { MEETING_HELD: done }',
        'on: { MEETING_HELD: done, SAMPLE_RESURVEYED: meeting }',
      );
      expect(errorsOf(twice)).toEqual([
        expect.objectContaining({
          path: '$.anyStep.SAMPLE_RESURVEYED',
          message:
            '"SAMPLE_RESURVEYED" is accepted in any step (anyStep) and also handled by step "meeting": handle it in one place only',
        }),
      ]);
    });

    it('checks its guards and actions as a step’s: fields of the event, known actions', () => {
      const text = TEXT.replace('event.discrepanciesFound <=', 'event.discrepancies <=').replace(
        'name: increment',
        'name: incremnt',
      );
      expect(errorsOf(text).map((e) => [e.path, e.message])).toEqual([
        [
          '$.anyStep.SAMPLE_RESURVEYED.guard.expr',
          '"event.discrepancies": event "SAMPLE_RESURVEYED" has no field "discrepancies"',
        ],
        ['$.anyStep.SAMPLE_RESURVEYED.actions[0].name', expect.stringContaining('unknown action "incremnt"')],
      ]);
    });
  });

  it('can be added by an overlay (add: anyStep), with errors pointing into the overlay', () => {
    const base = TEXT.replace(/anyStep:\n(.+\n){3}/, '').replace(/  SAMPLE_RESURVEYED:\n(.+\n){5}/, '');
    const located = load(base);
    const overlay = `extends: any-step-demo@1
id: province-demo
version: 1
province: "51"
add:
  events:
    SAMPLE_RESURVEYED:
      label: Rà soát mẫu
      roles: [commune]
      fields: { householdsSampled: { type: integer, min: 1 } }
  anyStep:
    SAMPLE_RESURVEYED:
      target: meeting
      actions: [{ name: increment, params: { counter: sampleResurveys } }]
`;
    const merged = loadDefinitionDocument(overlay, 'overlay.yaml', () => located);
    if (!merged.ok) throw new Error(JSON.stringify(merged.errors));
    expect(Object.keys(merged.value.anyStep ?? {})).toEqual(['SAMPLE_RESURVEYED']);
    expect(validateDefinition(merged.value, merged.source)).toEqual([
      expect.objectContaining({ file: 'overlay.yaml', line: 13, path: '$.add.anyStep.SAMPLE_RESURVEYED.target' }),
    ]);
  });
});
