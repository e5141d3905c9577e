import { loadDefinitionYaml } from './definition-loader';
import { MASKED_TEXT, maskPersonalFields } from './personal-data';

const loaded = loadDefinitionYaml(
  `id: privacy
version: 1
title: Dữ liệu cá nhân
sources: [TT 07/2021/TT-BLĐTBXH]
roles:
  board: { label: Ban rà soát, level: village }
events:
  MEETING_HELD:
    label: Họp dân
    roles: [board]
    fields:
      chair: { type: string, personal: true }
      minutesRef: { type: string, required: false }
      attendees: { type: integer, min: 0 }
      speakers: { type: string-list, personal: true, required: false }
      findings:
        type: list
        required: false
        items:
          householdRef: { type: string }
          note: { type: string, required: false, personal: true }
initial: open
steps:
  open:
    label: Mở
    role: board
    source: TT 07/2021
    on: { MEETING_HELD: done }
  done:
    type: final
    label: Xong
`,
  'privacy.yaml',
);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const definition = loaded.value;

describe('masking personal free text', () => {
  it('replaces marked strings, string-list items and list-item fields by the placeholder, and nothing else', () => {
    const data = {
      chair: 'Nguyễn Văn An',
      minutesRef: 'BB-01',
      attendees: 30,
      speakers: ['Trần Thị Bình', 'Lê Văn Cường'],
      findings: [{ householdRef: 'H-01', note: 'Hộ ông An có xe máy mới' }, { householdRef: 'H-02' }],
    };
    const copy = structuredClone(data);
    expect(maskPersonalFields(definition, 'MEETING_HELD', data)).toEqual({
      chair: MASKED_TEXT,
      minutesRef: 'BB-01',
      attendees: 30,
      speakers: [MASKED_TEXT, MASKED_TEXT],
      findings: [{ householdRef: 'H-01', note: MASKED_TEXT }, { householdRef: 'H-02' }],
    });
    expect(data).toEqual(copy);
  });

  it('masks a value of an unexpected type whole, and leaves absent values alone', () => {
    expect(
      maskPersonalFields(definition, 'MEETING_HELD', { chair: { name: 'An' }, speakers: 'An, Bình', attendees: 1 }),
    ).toEqual({ chair: MASKED_TEXT, speakers: MASKED_TEXT, attendees: 1 });
    expect(maskPersonalFields(definition, 'MEETING_HELD', { chair: null, findings: 'x' })).toEqual({
      chair: null,
      findings: 'x',
    });
  });

  it('masks every string of an event the definition does not declare (recorded before a migration)', () => {
    expect(
      maskPersonalFields(definition, 'COMPLAINT_FILED', {
        summary: 'Hộ bà Bình',
        count: 2,
        refs: ['H-01'],
        nested: { note: 'x', ok: true },
      }),
    ).toEqual({
      summary: MASKED_TEXT,
      count: 2,
      refs: [MASKED_TEXT],
      nested: { note: MASKED_TEXT, ok: true },
    });
    expect(maskPersonalFields(definition, 'constructor', { chair: 'An' })).toEqual({ chair: MASKED_TEXT });
  });
});
