import { applyProvinceLines } from './apply-province-lines';
import type { ListsYear } from './lists-year.schema';
import { PovertyRulesError, PovertyRulesErrorCode } from './poverty-rules-error';
import type { ProvinceLines } from './province-lines.schema';
import { inForceOn, type RuleSet } from './rule-set.schema';

/** Something read from a file, with the label (file name) its errors name. */
export interface Labelled<T> {
  label: string;
  value: T;
}

/** What a catalog is built from: every national rule set, every province's lines and the lists-year file. */
export interface RuleSetCatalogInput {
  ruleSets: readonly Labelled<RuleSet>[];
  provinceLines: readonly Labelled<ProvinceLines>[];
  /** `null` when there is no lists-year file: rule sets can be looked up, but no campaign can choose one. */
  listsYear: Labelled<ListsYear> | null;
}

/**
 * Which rule set a campaign classifies its households with, and why: the campaign's year, the
 * offset its kind of process declares, the year its lists apply, and the rule set in force on
 * 1 January of that year.
 */
export interface RuleSetChoice {
  /** The definition id at the root of the campaign's definition (`periodic-review`). */
  processKind: string;
  campaignYear: number;
  listsYearOffset: number;
  listsYear: number;
  /** The national rule set's period (`2026-2030`). */
  period: string;
  citation: string;
  /** One sentence, e.g. "Rà soát định kỳ năm 2026: danh sách áp dụng năm 2027 → chuẩn nghèo 2026–2030, Nghị định 351/2025/NĐ-CP". */
  reason: { vi: string; en: string };
}

/** The day the lists of `year` start to apply, when the rule set in force is looked up. */
export const listsStartDay = (year: number): string => `${String(year).padStart(4, '0')}-01-01`;

/**
 * Every rule set, province line and lists-year offset, checked together: two national rule sets
 * in force on one day, or two files of one province's lines that overlap, are refused at
 * construction (`POVERTY_RULES_OVERLAPPING_PERIODS`), as are province lines that do not fit their
 * national rule set (`POVERTY_RULES_INVALID_PROVINCE_LINES`). Each problem names the files.
 * Pure: the caller reads and parses the files.
 */
export class RuleSetCatalog {
  private readonly national = new Map<string, RuleSet>();
  private readonly sorted: RuleSet[];
  /** Per province code: its lines merged into their national rule set, by start date. */
  private readonly provincial = new Map<string, { lines: ProvinceLines; ruleSet: RuleSet; label: string }[]>();
  private readonly processes: ListsYear['processes'];
  private readonly listsYearLabel: string | null;

  constructor(input: RuleSetCatalogInput) {
    const issues: string[] = [];
    let code: PovertyRulesErrorCode = PovertyRulesErrorCode.OverlappingPeriods;
    const labels = new Map<string, string>();
    for (const { label, value } of input.ruleSets) {
      const other = labels.get(value.period);
      if (other !== undefined) issues.push(`${label}: period: ${value.period} is also the period of ${other}`);
      labels.set(value.period, label);
      this.national.set(value.period, value);
    }
    this.sorted = [...this.national.values()].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
    for (let i = 1; i < this.sorted.length; i++) {
      const before = this.sorted[i - 1];
      const after = this.sorted[i];
      if (before.effectiveTo === null || before.effectiveTo >= after.effectiveFrom) {
        issues.push(
          `${labels.get(after.period)}: effectiveFrom: ${after.effectiveFrom} overlaps ${labels.get(before.period)} (in force ${before.effectiveFrom} – ${before.effectiveTo ?? 'open'}): one rule set must end before the next starts`,
        );
      }
    }

    for (const { label, value: lines } of input.provinceLines) {
      const ruleSet = this.national.get(lines.period);
      if (ruleSet === undefined) {
        code = PovertyRulesErrorCode.InvalidProvinceLines;
        issues.push(
          `${label}: period: no national rule set for ${lines.period} (periods: ${this.periods().join(', ')})`,
        );
        continue;
      }
      try {
        const merged = applyProvinceLines(ruleSet, lines, label);
        const list = this.provincial.get(lines.province) ?? [];
        list.push({ lines, ruleSet: merged, label });
        this.provincial.set(lines.province, list);
      } catch (error) {
        if (!(error instanceof PovertyRulesError)) throw error;
        code = error.code;
        issues.push(...error.issues);
      }
    }
    for (const list of this.provincial.values()) {
      list.sort((a, b) => a.ruleSet.effectiveFrom.localeCompare(b.ruleSet.effectiveFrom));
      for (let i = 1; i < list.length; i++) {
        const before = list[i - 1].ruleSet;
        if (before.effectiveTo === null || before.effectiveTo >= list[i].ruleSet.effectiveFrom) {
          issues.push(
            `${list[i].label}: effectiveFrom: ${list[i].ruleSet.effectiveFrom} overlaps ${list[i - 1].label} (in force ${before.effectiveFrom} – ${before.effectiveTo ?? 'open'})`,
          );
        }
      }
    }
    if (issues.length > 0) {
      throw new PovertyRulesError(code, 'the poverty rule files do not fit together', issues);
    }
    this.processes = input.listsYear?.value.processes ?? {};
    this.listsYearLabel = input.listsYear?.label ?? null;
  }

  /** The national periods, oldest first. */
  periods(): string[] {
    return this.sorted.map((ruleSet) => ruleSet.period);
  }

  /** The national rule set of `period`. */
  ruleSet(period: string): RuleSet | undefined {
    return this.national.get(period);
  }

  /** The national rule set in force for the lists of `year` (on its 1 January). */
  inForce(year: number): RuleSet | undefined {
    return this.sorted.find((ruleSet) => inForceOn(ruleSet, listsStartDay(year)));
  }

  /**
   * The province's own lines in force for the lists of `year`, merged into the national rule set
   * of `period`; `undefined` when the province has none for that year (or they belong to another period).
   */
  provincialRuleSet(period: string, provinceCode: string, year: number): RuleSet | undefined {
    return this.provincial
      .get(provinceCode)
      ?.find((entry) => entry.lines.period === period && inForceOn(entry.ruleSet, listsStartDay(year)))?.ruleSet;
  }

  /** Codes of the provinces that have lines of `period` (in force for the lists of `year`, when given). */
  provincesWithLines(period: string, year?: number): string[] {
    return [...this.provincial.entries()]
      .filter(([code]) =>
        year === undefined
          ? this.provincial.get(code)?.some((entry) => entry.lines.period === period)
          : this.provincialRuleSet(period, code, year) !== undefined,
      )
      .map(([code]) => code)
      .sort();
  }

  /** Every line file of the province for `period`, oldest first (the CLI picks one without a year). */
  provinceRuleSets(period: string, provinceCode: string): RuleSet[] {
    return (this.provincial.get(provinceCode) ?? [])
      .filter((entry) => entry.lines.period === period)
      .map((entry) => entry.ruleSet);
  }

  /** The processes whose lists year is declared. */
  processKinds(): string[] {
    return Object.keys(this.processes).sort();
  }

  /**
   * The rule set a campaign of `processKind` in `campaignYear` uses, and why. Throws a
   * `PovertyRulesError`: `POVERTY_RULES_UNKNOWN_PROCESS` when the lists-year file does not list the
   * process, `POVERTY_RULES_NO_RULE_SET_IN_FORCE` when no rule set covers the year its lists apply.
   * `provinceCode`, when given, adds the province's own lines to the reason if it has some that year.
   */
  choose(processKind: string, campaignYear: number, provinceCode?: string): RuleSetChoice {
    const process = this.processes[processKind];
    if (process === undefined) {
      const where = this.listsYearLabel ?? 'lists-year.yaml (missing)';
      throw new PovertyRulesError(
        PovertyRulesErrorCode.UnknownProcess,
        `Chưa khai báo năm áp dụng danh sách của quy trình "${processKind}" (${where}); các quy trình đã khai báo: ${this.processKinds().join(', ') || '(không có)'} / the lists year of process "${processKind}" is not declared in ${where}`,
      );
    }
    const listsYear = campaignYear + process.listsYearOffset;
    const ruleSet = this.inForce(listsYear);
    if (ruleSet === undefined) {
      const periods = this.sorted.map((r) => `${r.period} (${r.effectiveFrom} – ${r.effectiveTo ?? '…'})`).join(', ');
      throw new PovertyRulesError(
        PovertyRulesErrorCode.NoRuleSetInForce,
        `${process.name.vi} năm ${campaignYear} lập danh sách áp dụng năm ${listsYear}, nhưng không có chuẩn nghèo nào có hiệu lực ngày ${listsStartDay(listsYear)}; các chuẩn có: ${periods || '(không có)'} / no poverty standard is in force for the lists of ${listsYear}`,
      );
    }
    const dash = ruleSet.period.replace('-', '–');
    const reason = {
      vi: `${process.name.vi} năm ${campaignYear}: danh sách áp dụng năm ${listsYear} → chuẩn nghèo ${dash}, ${ruleSet.citation}`,
      en: `${process.name.en} ${campaignYear}: the lists apply in ${listsYear} → poverty standard ${dash}, ${ruleSet.citation}`,
    };
    const provincial =
      provinceCode === undefined ? undefined : this.provincialRuleSet(ruleSet.period, provinceCode, listsYear);
    if (provincial?.province) {
      reason.vi += `; chuẩn riêng của ${provincial.province.name} (${provincial.effectiveFrom} – ${provincial.effectiveTo ?? '…'}) được phân loại song song cho các chương trình của tỉnh`;
      reason.en += `; the province's own lines (${provincial.effectiveFrom} – ${provincial.effectiveTo ?? '…'}) classify side by side for its own programmes`;
    }
    if (ruleSet.uncertainties.length > 0) {
      reason.vi += ` (${ruleSet.uncertainties.length} giá trị của chuẩn chưa được đối chiếu với văn bản)`;
      reason.en += ` (${ruleSet.uncertainties.length} values of the standard not checked against the legal text)`;
    }
    return {
      processKind,
      campaignYear,
      listsYearOffset: process.listsYearOffset,
      listsYear,
      period: ruleSet.period,
      citation: ruleSet.citation,
      reason,
    };
  }
}
