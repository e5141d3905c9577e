import { compileDefinition } from './definition-compiler';
import { loadDefinitionYaml } from './definition-loader';
import { validateDefinition } from './definition-validator';
import type { Definition } from './definition.schema';
import { DEFAULT_FIELD_MAX, FIELD_VALUE_CEILING } from './field-limits';

const yaml = (fields: string) => `id: limits
version: 1
title: Giới hạn trường số
sources: [TT 07/2021/TT-BLĐTBXH]
roles:
  board: { label: Ban rà soát, level: village }
events:
  LISTED:
    label: Lập danh sách
    roles: [board]
    fields:
${fields}
initial: open
steps:
  open:
    label: Mở
    role: board
    source: TT 07/2021
    on: { LISTED: done }
  done:
    type: final
    label: Xong
`;

function load(fields: string): Definition {
  const loaded = loadDefinitionYaml(yaml(fields), 'limits.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.value;
}

const FIELDS = `      householdCount: { type: integer, min: 0 }
      income: { type: integer, min: 0, max: 100000000 }
      share: { type: number }
      rows: { type: list, required: false, items: { votes: { type: integer, min: 0 } } }`;

describe('numeric field limits', () => {
  const schema = compileDefinition(load(FIELDS)).payloadSchemas.LISTED;
  const valid = { householdCount: 40, income: 2_500_000, share: 0.5 };
  const problems = (data: Record<string, unknown>) => {
    const r = schema.safeParse({ ...valid, ...data });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('bounds an integer without a max by the default, and names the limit', () => {
    expect(problems({ householdCount: DEFAULT_FIELD_MAX })).toEqual([]);
    expect(problems({ householdCount: 9007199254740991 })).toEqual([
      `householdCount: phải ≤ ${DEFAULT_FIELD_MAX} / must be at most ${DEFAULT_FIELD_MAX}`,
    ]);
    expect(problems({ householdCount: -1 })).toEqual(['householdCount: phải ≥ 0 / must be at least 0']);
  });

  it("keeps the definition's own max, and bounds numbers and list items too", () => {
    expect(problems({ income: 100_000_000 })).toEqual([]);
    expect(problems({ income: 100_000_001 })).toEqual(['income: phải ≤ 100000000 / must be at most 100000000']);
    expect(problems({ share: 1e300 })).toEqual([
      `share: phải ≤ ${DEFAULT_FIELD_MAX} / must be at most ${DEFAULT_FIELD_MAX}`,
    ]);
    expect(problems({ share: -1e300 })).toEqual([
      `share: phải ≥ ${-DEFAULT_FIELD_MAX} / must be at least ${-DEFAULT_FIELD_MAX}`,
    ]);
    expect(problems({ rows: [{ votes: 3 }, { votes: 2 ** 40 }] })).toEqual([
      `rows.1.votes: phải ≤ ${DEFAULT_FIELD_MAX} / must be at most ${DEFAULT_FIELD_MAX}`,
    ]);
  });

  it('refuses a definition whose max is above the ceiling or whose min is below the floor, naming the place', () => {
    const loaded = loadDefinitionYaml(
      yaml(
        `      householdCount: { type: integer, min: -1000000001, max: 2147483647 }\n      share: { type: number, max: 1e12 }`,
      ),
      'limits.yaml',
    );
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.errors.map((e) => `${e.path} ${e.message}`)).toEqual([
      `$.events.LISTED.fields.householdCount.min must be at least ${-FIELD_VALUE_CEILING} (the floor of every numeric field)`,
      `$.events.LISTED.fields.householdCount.max must be at most ${FIELD_VALUE_CEILING} (the ceiling of every numeric field)`,
      `$.events.LISTED.fields.share.max must be at most ${FIELD_VALUE_CEILING} (the ceiling of every numeric field)`,
    ]);
    expect(
      loadDefinitionYaml(
        yaml(`      householdCount: { type: integer, min: 0, max: ${FIELD_VALUE_CEILING} }`),
        'limits.yaml',
      ).ok,
    ).toBe(true);
  });

  it('refuses an empty range: a min above the default max needs a max', () => {
    const errors = validateDefinition(
      load(
        `      income: { type: integer, min: 2000000 }\n      rows: { type: list, items: { votes: { type: integer, min: 5, max: 4 } } }`,
      ),
    );
    expect(errors.map((e) => `${e.path} ${e.message}`)).toEqual([
      `$.events.LISTED.fields.income.min the range is empty: min 2000000 > max ${DEFAULT_FIELD_MAX} (the default max; name a max up to ${FIELD_VALUE_CEILING})`,
      '$.events.LISTED.fields.rows.items.votes.max the range is empty: min 5 > max 4',
    ]);
  });
});
