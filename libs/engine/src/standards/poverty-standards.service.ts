import { Injectable } from '@nestjs/common';
import type { RuleSet, RuleSetCatalog, RuleSetChoice } from '@rasoat/poverty-rules';
import { loadRuleSetCatalog, POVERTY_RULES_DIR } from './poverty-rules.loader';
import { RuleSetUnavailableException } from './standards.exception';

/** What a campaign recorded about its standard (`campaign.lists_year`, `campaign.rule_set_period`). */
export interface CampaignStandard {
  provinceCode: string;
  /** `null` for a campaign whose choice was never recorded. */
  listsYear: number | null;
  ruleSetPeriod: string | null;
}

/**
 * The rules a campaign's households are classified with: the national rule set it recorded, and
 * its province's own lines in force for the lists year, if any. The national classification is
 * the one national reports count; the provincial one serves the province's own programmes.
 */
export interface CampaignRules {
  national: RuleSet;
  provincial: RuleSet | undefined;
  listsYear: number;
}

/**
 * The poverty standards of `config/poverty-rules/` (national rule sets, provinces' own lines,
 * lists-year offsets), read and checked once when the process starts — an invalid file stops the
 * start, naming the file and path. Campaigns choose their rule set here; households get their
 * campaign's rules here.
 */
@Injectable()
export class PovertyStandards {
  private catalog: RuleSetCatalog;

  constructor() {
    this.catalog = loadRuleSetCatalog(POVERTY_RULES_DIR);
  }

  /** For tests: read the rule files from another directory. */
  useDirectory(dir: string): void {
    this.catalog = loadRuleSetCatalog(dir);
  }

  /** The checked files. */
  get rules(): RuleSetCatalog {
    return this.catalog;
  }

  /**
   * The rule set a campaign of `processKind` in `campaignYear` uses, and why (throws the
   * `PovertyRulesError` of `RuleSetCatalog.choose`: unknown process, no rule set in force).
   */
  choose(processKind: string, campaignYear: number, provinceCode: string): RuleSetChoice {
    return this.catalog.choose(processKind, campaignYear, provinceCode);
  }

  /** The rules of a campaign's households; `RuleSetUnavailableException` (409) when it has none. */
  forCampaign(campaign: CampaignStandard): CampaignRules {
    const { ruleSetPeriod: period, listsYear } = campaign;
    if (period === null || listsYear === null) {
      throw new RuleSetUnavailableException(
        'Đợt rà soát chưa ghi chuẩn nghèo áp dụng nên chưa phân loại được hộ; khởi động lại dịch vụ để ghi, hoặc khai báo quy trình trong config/poverty-rules/lists-year.yaml / the campaign has recorded no poverty standard: households cannot be classified',
      );
    }
    const national = this.catalog.ruleSet(period);
    if (national === undefined) {
      throw new RuleSetUnavailableException(
        `Không có bộ tiêu chí phân loại cho kỳ "${period}" mà đợt rà soát đã ghi; các kỳ có: ${this.catalog.periods().join(', ') || '(không có)'} / no classification rules for the campaign's period "${period}"`,
        { period, known: this.catalog.periods() },
      );
    }
    const provincial = this.catalog.provincialRuleSet(period, campaign.provinceCode, listsYear);
    return { national, provincial, listsYear };
  }
}
