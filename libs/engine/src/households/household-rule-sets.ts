import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { parse } from 'yaml';
import { applyProvinceLines, parseProvinceLines, parseRuleSet, type RuleSet } from '@rasoat/poverty-rules';
import { RuleSetUnavailableException } from './households.exception';

/** `config/poverty-rules/` at the repository root. */
export const POVERTY_RULES_DIR = join(__dirname, '../../../../config/poverty-rules');

/**
 * The rule set of `period` (`<dir>/<period>.yaml`), with the province's own lines applied when
 * `<dir>/provinces/<province>/<period>.yaml` exists (the same files the CLI's `classify` reads).
 * A period without a file is a `RuleSetUnavailableException` listing the known ones; invalid
 * files throw the `PovertyRulesError` that names them.
 */
export function loadCaseRuleSet(dir: string, period: string, provinceCode: string): RuleSet {
  const known = readdirSync(dir)
    .map((name) => /^(\d{4}-\d{4})\.yaml$/.exec(name)?.[1])
    .filter((p): p is string => p !== undefined)
    .sort();
  if (!known.includes(period)) {
    throw new RuleSetUnavailableException(
      `Không có bộ tiêu chí phân loại cho kỳ "${period}"; các kỳ có: ${known.join(', ') || '(không có)'} / no classification rules for period "${period}"`,
      { period, known },
    );
  }
  const file = join(dir, `${period}.yaml`);
  const national = parseRuleSet(parse(readFileSync(file, 'utf8')), file);
  const provinceFile = join(dir, 'provinces', provinceCode, `${period}.yaml`);
  if (!/^[A-Za-z0-9_-]+$/.test(provinceCode) || !existsSync(provinceFile)) return national;
  return applyProvinceLines(
    national,
    parseProvinceLines(parse(readFileSync(provinceFile, 'utf8')), provinceFile),
    provinceFile,
  );
}

/** Rule sets per (period, province), read from `config/poverty-rules` once per process. */
@Injectable()
export class HouseholdRuleSets {
  private readonly logger = new Logger(HouseholdRuleSets.name);
  private readonly cache = new Map<string, RuleSet>();
  private dir = POVERTY_RULES_DIR;

  /** For tests: read rule files from another directory (clears what was read). */
  useDirectory(dir: string): void {
    this.dir = dir;
    this.cache.clear();
  }

  /** The rules that classify the households of a case whose definition names `period`, in `provinceCode`. */
  forCase(period: string | undefined, provinceCode: string): RuleSet {
    if (period === undefined) {
      throw new RuleSetUnavailableException(
        "Quy trình của hồ sơ không khai báo kỳ chuẩn nghèo (period) nên không phân loại được hộ / the case's definition declares no period: households cannot be classified",
      );
    }
    const key = `${period}|${provinceCode}`;
    let ruleSet = this.cache.get(key);
    if (ruleSet === undefined) {
      ruleSet = loadCaseRuleSet(this.dir, period, provinceCode);
      this.cache.set(key, ruleSet);
      this.logger.log(
        `poverty rules ${period}${ruleSet.province ? ` with the lines of province ${ruleSet.province.code}` : ''} loaded for province ${provinceCode}`,
      );
    }
    return ruleSet;
  }
}
