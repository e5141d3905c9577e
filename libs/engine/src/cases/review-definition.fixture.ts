// Test fixture: a small process definition for the cases context's unit tests (acceptance,
// drain, case view), compiled once.
import { compileDefinition, loadDefinitionYaml, type CompiledDefinition } from '@rasoat/workflow-core';

/** The fixture's YAML, for a test that needs a variant of it (e.g. a version 2 to migrate to). */
export const FIXTURE_YAML = `id: fixture-review
version: 1
title: Rà soát thử / fixture review
sources: [QĐ 24/2021/QĐ-TTg]
roles:
  village_board: { label: Ban rà soát thôn, level: village }
  commune_committee: { label: Ban Chỉ đạo xã, level: commune }
events:
  LIST_SUBMITTED:
    label: Nộp danh sách
    roles: [village_board]
    proxies:
      - { role: commune_committee, onBehalfOf: village_board, source: "QĐ 24/2021/QĐ-TTg, Điều 4" }
    fields:
      householdCount: { type: integer, min: 0, label: Số hộ }
      note: { type: string, required: false, personal: true, label: Ghi chú }
  MEETING_HELD:
    label: Họp dân
    roles: [village_board]
    fields:
      attendees: { type: integer, min: 0, label: Số người dự }
initial: listing
steps:
  listing:
    label: Lập danh sách
    stage: 1
    role: village_board
    source: QĐ 24/2021/QĐ-TTg, Điều 4
    deadline:
      due: { kind: windowEnd }
    on:
      LIST_SUBMITTED: meeting
  meeting:
    label: Họp dân
    stage: 2
    role: village_board
    source: QĐ 24/2021/QĐ-TTg, Điều 4
    deadline:
      due: { kind: windowEnd }
    on:
      MEETING_HELD:
        target: done
        guard: { expr: event.attendees >= 10 }
        actions: [{ name: notify, params: { role: commune_committee, template: meeting-held } }]
  done:
    type: final
    label: Xong
    outcome: recognised
`;

/** Compiles a definition written in YAML; throws its errors. */
export function compileYaml(yaml: string): CompiledDefinition {
  const loaded = loadDefinitionYaml(yaml, 'fixture-review.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return compileDefinition(loaded.value);
}

export const FIXTURE_KEY = 'fixture-review@1';
export const fixtureReview: CompiledDefinition = compileYaml(FIXTURE_YAML);
