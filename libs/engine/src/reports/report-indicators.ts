import { Injectable, Logger } from '@nestjs/common';
import { PovertyStandards } from '../standards';
import type { ReportIndicator } from './report-metrics';

/**
 * The names of a period's deprivation indicators, from the same rule sets that classify
 * households (`config/poverty-rules/<period>.yaml`, read once by `PovertyStandards`). Provinces
 * raise lines, never change indicators, so the names are the national ones. A period without a
 * rule set gives `null` (logged once): the report then shows the codes it counted with a warning
 * instead of failing.
 */
@Injectable()
export class ReportIndicatorCatalog {
  private readonly logger = new Logger(ReportIndicatorCatalog.name);
  private readonly warned = new Set<string>();

  constructor(private readonly standards: PovertyStandards) {}

  indicators(period: string): ReportIndicator[] | null {
    const ruleSet = this.standards.rules.ruleSet(period);
    if (ruleSet === undefined) {
      if (!this.warned.has(period)) {
        this.warned.add(period);
        this.logger.warn(`no indicator names for period ${period}: no rule set in config/poverty-rules`);
      }
      return null;
    }
    return ruleSet.indicators.map((i) => ({ code: i.code, name: { vi: i.name, en: i.nameEn } }));
  }
}
