import { readFileSync } from 'fs';
import { join } from 'path';
import { isFieldMarkingAmendment } from './definition-amendment';
import { loadDefinitionYaml } from './definition-loader';
import type { Definition } from './definition.schema';

const FILE = join(__dirname, '../../../workflows/national/2022-2025/average-living-standard.yaml');
const loaded = loadDefinitionYaml(readFileSync(FILE, 'utf8'), FILE);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const published = loaded.value;
const changed = (change: (d: Definition) => void) => {
  const d = structuredClone(published);
  change(d);
  return d;
};

describe('amendments of a published version', () => {
  it('allows personal markers and maxima, at the top level and in list items', () => {
    expect(isFieldMarkingAmendment(published, published)).toBe(true);
    const marked = changed((d) => {
      const { fields } = d.events.INCOME_SURVEY_COMPLETED;
      Object.assign(fields.householdsSurveyed, { max: 5000 });
      if (fields.households.type === 'list') Object.assign(fields.households.items.householdRef, { personal: true });
      delete (d.events.COMPLAINT_FILED.fields.summary as { personal?: boolean }).personal;
    });
    expect(isFieldMarkingAmendment(published, marked)).toBe(true);
  });

  it('refuses anything else: a min, a new field, a required flag, a step', () => {
    expect(
      isFieldMarkingAmendment(
        published,
        changed((d) => Object.assign(d.events.INCOME_SURVEY_COMPLETED.fields.householdsSurveyed, { min: 1 })),
      ),
    ).toBe(false);
    expect(
      isFieldMarkingAmendment(
        published,
        changed((d) => (d.events.COMPLAINT_FILED.fields.extra = { type: 'boolean', required: false })),
      ),
    ).toBe(false);
    expect(
      isFieldMarkingAmendment(
        published,
        changed((d) => (d.events.COMPLAINT_FILED.fields.summary.required = false)),
      ),
    ).toBe(false);
    expect(
      isFieldMarkingAmendment(
        published,
        changed((d) => (d.title = 'Khác')),
      ),
    ).toBe(false);
  });
});
