import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { POVERTY_RULES_DIR, PovertyStandards } from '../standards';
import { ReportIndicatorCatalog } from './report-indicators';

describe('ReportIndicatorCatalog', () => {
  const catalog = new ReportIndicatorCatalog(new PovertyStandards());

  it.each(['2022-2025', '2026-2030'])(
    'names the indicators of %s as its rule file lists them, in its order',
    (period) => {
      const file = parse(readFileSync(join(POVERTY_RULES_DIR, `${period}.yaml`), 'utf8')) as {
        indicators: { code: string; name: string; nameEn: string }[];
      };
      const indicators = catalog.indicators(period);
      expect(indicators).toEqual(file.indicators.map((i) => ({ code: i.code, name: { vi: i.name, en: i.nameEn } })));
      expect(indicators).toHaveLength(12);
    },
  );

  it('gives no names for a period without a rule file, rather than failing the report', () => {
    expect(catalog.indicators('1990-1995')).toBeNull();
  });
});
