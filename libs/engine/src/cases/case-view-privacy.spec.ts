import { loadDefinitionYaml, MASKED_TEXT } from '@rasoat/workflow-core';
import { caseViewMask } from './case-view-privacy';

const loaded = loadDefinitionYaml(
  `id: privacy
version: 1
title: Dữ liệu cá nhân
sources: [TT 07/2021/TT-BLĐTBXH]
roles:
  board: { label: Ban rà soát, level: village }
events:
  COMPLAINT_FILED:
    label: Khiếu nại
    roles: [board]
    fields:
      householdRef: { type: string }
      summary: { type: string, personal: true }
initial: open
steps:
  open:
    label: Mở
    role: board
    source: TT 07/2021
    on: { COMPLAINT_FILED: open }
`,
  'privacy.yaml',
);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const definition = loaded.value;
const complaint = { householdRef: 'H-07', summary: 'Bà Nguyễn Thị Hoa khiếu nại vì bị bỏ sót' };

describe('the case view for readers outside the village and commune', () => {
  const hidden = caseViewMask(definition, false);
  const shown = caseViewMask(definition, true);

  it("masks the case's data and each history payload; shows them to the village's and commune's officials", () => {
    expect(hidden.data({ COMPLAINT_FILED: complaint })).toEqual({
      COMPLAINT_FILED: { householdRef: 'H-07', summary: MASKED_TEXT },
    });
    const entry = { kind: 'event', eventType: 'COMPLAINT_FILED', details: { data: complaint } };
    expect(hidden.history(entry)).toEqual({
      ...entry,
      details: { data: { householdRef: 'H-07', summary: MASKED_TEXT } },
    });
    expect(shown.data({ COMPLAINT_FILED: complaint })).toEqual({ COMPLAINT_FILED: complaint });
    expect(shown.history(entry)).toBe(entry);
  });

  it("masks a correction's old and new value when its field is personal, and only then", () => {
    const text = {
      kind: 'corrected',
      eventType: 'correction',
      details: { event: 'COMPLAINT_FILED', field: 'summary', from: 'Bà Hoa', to: 'Bà Hòa', reason: 'sai chính tả' },
    };
    expect(hidden.history(text).details).toEqual({ ...text.details, from: MASKED_TEXT, to: MASKED_TEXT });
    const code = { ...text, details: { ...text.details, field: 'householdRef', from: 'H-07', to: 'H-08' } };
    expect(hidden.history(code)).toEqual(code);
  });

  it('leaves entries without event data alone', () => {
    const rejected = {
      kind: 'rejected',
      eventType: 'COMPLAINT_FILED',
      details: { code: 'INVALID_PAYLOAD', reason: 'summary: Too big' },
    };
    expect(hidden.history(rejected)).toEqual(rejected);
    const started = { kind: 'started', eventType: null, details: {} };
    expect(hidden.history(started)).toBe(started);
  });
});
