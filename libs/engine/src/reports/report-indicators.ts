import { Injectable, Logger } from '@nestjs/common';
import { loadCaseRuleSet, POVERTY_RULES_DIR } from '../households';
import type { ReportIndicator } from './report-metrics';

/**
 * The names of a period's deprivation indicators, read from the same rule files that classify
 * households (`config/poverty-rules/<period>.yaml`), once per period and province. A period
 * without a readable file gives `null` (logged once): the report then shows the codes it counted
 * with a warning instead of failing.
 */
@Injectable()
export class ReportIndicatorCatalog {
  private readonly logger = new Logger(ReportIndicatorCatalog.name);
  private readonly cache = new Map<string, ReportIndicator[] | null>();
  private readonly dir = POVERTY_RULES_DIR;

  indicators(period: string, provinceCode: string): ReportIndicator[] | null {
    const key = `${period}|${provinceCode}`;
    if (!this.cache.has(key)) {
      let found: ReportIndicator[] | null;
      try {
        found = loadCaseRuleSet(this.dir, period, provinceCode).indicators.map((i) => ({
          code: i.code,
          name: { vi: i.name, en: i.nameEn },
        }));
      } catch (error) {
        this.logger.warn(
          `no indicator names for period ${period}: ${error instanceof Error ? error.message : String(error)}`,
        );
        found = null;
      }
      this.cache.set(key, found);
    }
    return this.cache.get(key) ?? null;
  }
}
