import { allowedEvents, applyEvent, startCase, type CaseSnapshot, type TransitionResult } from './case-transition';
import { compileDefinition } from './definition-compiler';
import { loadDefinitionDocument } from './definition-overlay';
import { validateDefinition } from './definition-validator';
import { mermaidDiagram } from './mermaid-diagram';

// Quảng Ngãi's supervision: a sample re-survey and a cross-check between villages run side by
// side after the survey; the meeting waits for both.
const TEXT = `id: parallel-demo
version: 1
title: Rà soát có kiểm tra chéo
sources: [QĐ 24/2021/QĐ-TTg]
roles:
  board: { label: Ban rà soát thôn, level: village }
  commune: { label: Ban chỉ đạo xã, level: commune }
events:
  SURVEY_COMPLETED: { label: Xong thu thập, roles: [board] }
  SAMPLE_RESURVEYED:
    label: Rà soát mẫu xong
    roles: [commune]
    fields:
      households: { type: integer, min: 1 }
      discrepancies: { type: integer, min: 0 }
  CROSS_CHECKED:
    label: Kiểm tra chéo xong
    roles: [commune]
    fields:
      findings:
        type: list
        maxItems: 50
        items:
          householdCode: { type: string, maxLength: 30 }
          agrees: { type: boolean }
  MEETING_HELD: { label: Họp dân, roles: [board] }
initial: survey
steps:
  survey:
    label: Thu thập
    role: board
    source: QĐ 24/2021, Điều 4
    on: { SURVEY_COMPLETED: checks }
  checks:
    type: parallel
    label: Kiểm tra kết quả
    source: Kế hoạch Quảng Ngãi 2023
    regions:
      sample:
        initial: sample_resurvey
        steps:
          sample_resurvey:
            label: Rà soát mẫu
            role: commune
            source: Kế hoạch Quảng Ngãi 2023
            deadline: { due: { kind: workingDays, days: 5, from: stepEntered } }
            on:
              SAMPLE_RESURVEYED:
                - target: sample_done
                  guard: { expr: "event.discrepancies * 10 <= event.households" }
                - target: sample_resurvey
          sample_done: { type: final, label: Đạt }
      cross:
        initial: cross_check
        steps:
          cross_check:
            label: Kiểm tra chéo
            role: commune
            source: Kế hoạch Quảng Ngãi 2023
            on: { CROSS_CHECKED: cross_done }
          cross_done: { type: final, label: Xong }
    onDone: meeting
  meeting:
    label: Họp dân
    role: board
    source: QĐ 24/2021, Điều 4
    on: { MEETING_HELD: done }
  done: { type: final, label: Hoàn thành }
`;

function compiled() {
  const loaded = loadDefinitionDocument(TEXT, 'parallel.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return compileDefinition(loaded.value, undefined, loaded.source);
}

const at = (day: number) => new Date(Date.UTC(2026, 8, day, 2));
function applied(result: TransitionResult): Extract<TransitionResult, { outcome: 'applied' }> {
  if (result.outcome !== 'applied') throw new Error(`rejected: ${result.code} ${result.message}`);
  return result;
}

describe('parallel steps', () => {
  const c = compiled();

  it('enters every region, arms the region step deadline, and accepts the events of both regions', () => {
    let s: CaseSnapshot = startCase(c, at(1)).snapshot;
    const entered = applied(applyEvent(c, s, { type: 'SURVEY_COMPLETED', data: {} }, at(2)));
    expect(entered.snapshot).toMatchObject({
      step: 'checks',
      regions: { sample: 'sample_resurvey', cross: 'cross_check' },
      status: 'active',
    });
    expect(entered.effects).toContainEqual({
      kind: 'deadline.arm',
      step: 'sample_resurvey',
      deadline: { due: { kind: 'workingDays', days: 5, from: 'stepEntered' }, reminders: [] },
    });
    s = entered.snapshot;
    expect(allowedEvents(c, s).sort()).toEqual(['CROSS_CHECKED', 'SAMPLE_RESURVEYED']);
    expect(applyEvent(c, s, { type: 'MEETING_HELD', data: {} }, at(3))).toMatchObject({
      outcome: 'rejected',
      code: 'EVENT_NOT_ALLOWED',
    });

    // Too many discrepancies: the sample is surveyed again; the other region does not move.
    s = applied(
      applyEvent(c, s, { type: 'SAMPLE_RESURVEYED', data: { households: 10, discrepancies: 2 } }, at(3)),
    ).snapshot;
    expect(s.regions).toEqual({ sample: 'sample_resurvey', cross: 'cross_check' });

    const crossed = applied(
      applyEvent(c, s, { type: 'CROSS_CHECKED', data: { findings: [{ householdCode: 'H-1', agrees: true }] } }, at(4)),
    );
    expect(crossed.snapshot).toMatchObject({
      step: 'checks',
      regions: { sample: 'sample_resurvey', cross: 'cross_done' },
    });
    expect(allowedEvents(c, crossed.snapshot)).toEqual(['SAMPLE_RESURVEYED']);

    const joined = applied(
      applyEvent(c, crossed.snapshot, { type: 'SAMPLE_RESURVEYED', data: { households: 10, discrepancies: 1 } }, at(5)),
    );
    expect(joined.snapshot.step).toBe('meeting');
    expect(joined.snapshot.regions).toBeUndefined();
    expect(joined.effects).toContainEqual({ kind: 'deadline.cancel', step: 'sample_resurvey' });
    expect(Object.keys(joined.snapshot.context.milestones)).toEqual(
      expect.arrayContaining(['checks', 'sample_resurvey', 'cross_check', 'meeting']),
    );
  });

  it('validates list fields of a payload, naming the item and field', () => {
    const s = applied(
      applyEvent(c, startCase(c, at(1)).snapshot, { type: 'SURVEY_COMPLETED', data: {} }, at(2)),
    ).snapshot;
    const bad = applyEvent(
      c,
      s,
      { type: 'CROSS_CHECKED', data: { findings: [{ householdCode: 'H-1', agrees: 'yes' }] } },
      at(3),
    );
    expect(bad).toMatchObject({
      outcome: 'rejected',
      code: 'INVALID_PAYLOAD',
      payloadErrors: [{ field: 'findings[0].agrees' }],
    });
  });

  it('restores a snapshot persisted as JSON in the middle of the regions', () => {
    const s = applied(
      applyEvent(c, startCase(c, at(1)).snapshot, { type: 'SURVEY_COMPLETED', data: {} }, at(2)),
    ).snapshot;
    const roundTripped = JSON.parse(JSON.stringify(s)) as CaseSnapshot;
    const next = applied(applyEvent(c, roundTripped, { type: 'CROSS_CHECKED', data: { findings: [] } }, at(3)));
    expect(next.snapshot.regions).toEqual({ sample: 'sample_resurvey', cross: 'cross_done' });
  });

  it('draws regions as a composite state', () => {
    const diagram = mermaidDiagram(c.definition, ['sample_resurvey', 'cross_done']);
    expect(diagram).toContain('state checks {');
    expect(diagram).toContain('  --');
    expect(diagram).toContain('checks --> meeting: xong các nhánh / all regions done');
    expect(diagram).toContain(
      'sample_resurvey --> sample_done: SAMPLE_RESURVEYED [event.discrepancies * 10 <= event.households]',
    );
    expect(diagram).toContain('class cross_done current');
  });

  it.each([
    [
      'a region without a final step',
      (t: string) =>
        t
          .replace('          cross_done: { type: final, label: Xong }\n', '')
          .replace('on: { CROSS_CHECKED: cross_done }', 'on: { CROSS_CHECKED: cross_check }'),
      '$.steps.checks.regions.cross',
      'region "cross" needs a final step',
    ],
    [
      'a transition out of a region',
      (t: string) => t.replace('on: { CROSS_CHECKED: cross_done }', 'on: { CROSS_CHECKED: meeting }'),
      '$.steps.checks.regions.cross.steps.cross_check.on.CROSS_CHECKED',
      'unknown step "meeting" at this level: a transition cannot cross into or out of a parallel step\'s region',
    ],
    [
      'a missing onDone',
      (t: string) =>
        t
          .replace('    onDone: meeting\n', '')
          .replace('  meeting:\n', '  meeting:\n')
          .replace('on: { SURVEY_COMPLETED: checks }', 'on: { SURVEY_COMPLETED: checks, MEETING_HELD: meeting }'),
      '$.steps.checks',
      'a parallel step must say where the case goes when every region is done: "onDone"',
    ],
    [
      'a step id used twice',
      (t: string) =>
        t
          .replace('cross_done: { type: final, label: Xong }', 'done: { type: final, label: Xong }')
          .replace('CROSS_CHECKED: cross_done', 'CROSS_CHECKED: done'),
      '$.steps.done',
      'step id "done" is already used at $.steps.checks.regions.cross.steps.done; step ids must be unique, regions included',
    ],
    [
      'a bad expression',
      (t: string) => t.replace('event.discrepancies * 10 <= event.households', 'event.discrepancies * <= 3'),
      '$.steps.checks.regions.sample.steps.sample_resurvey.on.SAMPLE_RESURVEYED[0].guard.expr',
      expect.stringMatching(/^expression: .* \(at character \d+\)$/),
    ],
    [
      'an expression reading a field the event lacks',
      (t: string) => t.replace('event.discrepancies * 10', 'event.errors * 10'),
      '$.steps.checks.regions.sample.steps.sample_resurvey.on.SAMPLE_RESURVEYED[0].guard.expr',
      '"event.errors": event "SAMPLE_RESURVEYED" has no field "errors"',
    ],
  ])('reports %s', (_name, breakIt, path, message) => {
    const loaded = loadDefinitionDocument(breakIt(TEXT), 'parallel.yaml');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(validateDefinition(loaded.value, loaded.source)).toContainEqual(expect.objectContaining({ path, message }));
  });
});
