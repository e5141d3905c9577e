import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import {
  applyProvinceLines,
  parseProvinceLines,
  parseRuleSet,
  PovertyRulesError,
  PovertyRulesErrorCode,
  type RuleSet,
} from '@rasoat/poverty-rules';

/** `config/poverty-rules/` at the repository root. */
export const POVERTY_RULES_DIR = resolve(__dirname, '../../../../config/poverty-rules');

/** The periods that have a rule file `<period>.yaml` in `dir`, sorted. */
export function knownPeriods(dir: string): string[] {
  return readdirSync(dir)
    .map((name) => /^(\d{4}-\d{4})\.yaml$/.exec(name)?.[1])
    .filter((period): period is string => period !== undefined)
    .sort();
}

/**
 * Reads and validates `<dir>/<period>.yaml` and, with `province`, applies
 * `<dir>/provinces/<province>/<period>.yaml`. Throws a `PovertyRulesError`: `UNKNOWN_PERIOD` or
 * `UNKNOWN_PROVINCE` listing what exists, or an invalid-data code whose issues name the file.
 */
export function loadRuleSet(dir: string, period: string, province?: string): RuleSet {
  const periods = knownPeriods(dir);
  if (!periods.includes(period)) {
    throw new PovertyRulesError(
      PovertyRulesErrorCode.UnknownPeriod,
      `unknown period "${period}"; known periods: ${periods.join(', ') || 'none'} (files in ${dir})`,
    );
  }
  const file = join(dir, `${period}.yaml`);
  const ruleSet = parseRuleSet(readYaml(file, PovertyRulesErrorCode.InvalidRuleSet), file);
  // The file name is what admins and the --period flag use, so it must agree with the content.
  if (ruleSet.period !== period) {
    throw new PovertyRulesError(PovertyRulesErrorCode.InvalidRuleSet, `${file}: invalid poverty rule set`, [
      `${file}: period: ${ruleSet.period} but the file is named for ${period}`,
    ]);
  }
  if (province === undefined) return ruleSet;

  const provinceFile = join(dir, 'provinces', province, `${period}.yaml`);
  if (!/^[A-Za-z0-9_-]+$/.test(province) || !existsSync(provinceFile)) {
    const withLines = existsSync(join(dir, 'provinces'))
      ? readdirSync(join(dir, 'provinces')).filter((code) => existsSync(join(dir, 'provinces', code, `${period}.yaml`)))
      : [];
    throw new PovertyRulesError(
      PovertyRulesErrorCode.UnknownProvince,
      `no lines of province "${province}" for period ${period}; provinces with own lines: ${withLines.join(', ') || 'none'}`,
    );
  }
  const provinceLines = parseProvinceLines(
    readYaml(provinceFile, PovertyRulesErrorCode.InvalidProvinceLines),
    provinceFile,
  );
  if (provinceLines.province !== province) {
    throw new PovertyRulesError(PovertyRulesErrorCode.InvalidProvinceLines, `${provinceFile}: invalid province lines`, [
      `${provinceFile}: province: "${provinceLines.province}" but the file is under provinces/${province}/`,
    ]);
  }
  return applyProvinceLines(ruleSet, provinceLines, provinceFile);
}

function readYaml(file: string, code: PovertyRulesErrorCode): unknown {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PovertyRulesError(code, `${file}: cannot read`, [`${file}: ${reason}`], { cause: error });
  }
}
