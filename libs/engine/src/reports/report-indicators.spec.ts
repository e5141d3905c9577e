import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { POVERTY_RULES_DIR } from '../households';
import { ReportIndicatorCatalog } from './report-indicators';

describe('ReportIndicatorCatalog', () => {
  it('names the indicators of a period as its rule file lists them, in its order', () => {
    const file = parse(readFileSync(join(POVERTY_RULES_DIR, '2022-2025.yaml'), 'utf8')) as {
      indicators: { code: string; name: string; nameEn: string }[];
    };
    const indicators = new ReportIndicatorCatalog().indicators('2022-2025', 'T1');
    expect(indicators).toEqual(file.indicators.map((i) => ({ code: i.code, name: { vi: i.name, en: i.nameEn } })));
    expect(indicators!.length).toBeGreaterThan(0);
  });

  it('gives no names for a period without a rule file, rather than failing the report', () => {
    expect(new ReportIndicatorCatalog().indicators('1990-1995', 'T1')).toBeNull();
  });
});
