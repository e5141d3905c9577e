import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  parseListsYear,
  parseProvinceLines,
  parseRuleSet,
  PovertyRulesError,
  PovertyRulesErrorCode,
  RuleSetCatalog,
  type Labelled,
  type ListsYear,
  type ProvinceLines,
  type RuleSet,
} from '@rasoat/poverty-rules';

/** `config/poverty-rules/` at the repository root. */
export const POVERTY_RULES_DIR = join(__dirname, '../../../../config/poverty-rules');

/** The file of `config/poverty-rules/` that says which year each process's lists apply. */
export const LISTS_YEAR_FILE = 'lists-year.yaml';

const PERIOD_FILE = /^(\d{4}-\d{4})\.yaml$/;

/**
 * Reads every file of `dir` — the national rule sets `<period>.yaml`, `lists-year.yaml` (optional:
 * without it no campaign can choose a rule set) and the provinces' lines
 * `provinces/<code>/*.yaml` — and checks them together (`RuleSetCatalog`). Throws one
 * `PovertyRulesError` listing every problem of every file, each naming the file and the JSON path:
 * a YAML syntax error, a schema error, a period that is not the file's name, a province code that
 * is not its folder's, another `.yaml` file, periods that overlap.
 */
export function loadRuleSetCatalog(dir: string): RuleSetCatalog {
  const issues: string[] = [];
  let code: PovertyRulesErrorCode | undefined;
  const collect = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof PovertyRulesError)) throw error;
      code ??= error.code;
      issues.push(...(error.issues.length > 0 ? error.issues : [error.message]));
      return undefined;
    }
  };

  const ruleSets: Labelled<RuleSet>[] = [];
  let listsYear: Labelled<ListsYear> | null = null;
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name);
    if (!/\.ya?ml$/.test(name)) continue;
    if (name === LISTS_YEAR_FILE) {
      const value = collect(() => parseListsYear(readYaml(file, PovertyRulesErrorCode.InvalidListsYear), file));
      if (value) listsYear = { label: file, value };
      continue;
    }
    const period = PERIOD_FILE.exec(name)?.[1];
    if (period === undefined) {
      code ??= PovertyRulesErrorCode.InvalidRuleSet;
      issues.push(
        `${file}: unknown file: rule sets are named <period>.yaml (e.g. 2026-2030.yaml), plus ${LISTS_YEAR_FILE}`,
      );
      continue;
    }
    const ruleSet = collect(() => parseRuleSet(readYaml(file, PovertyRulesErrorCode.InvalidRuleSet), file));
    if (!ruleSet) continue;
    // The file name is what admins and the --period flag use, so it must agree with the content.
    if (ruleSet.period !== period) {
      code ??= PovertyRulesErrorCode.InvalidRuleSet;
      issues.push(`${file}: period: ${ruleSet.period} but the file is named for ${period}`);
      continue;
    }
    ruleSets.push({ label: file, value: ruleSet });
  }

  const provinceLines: Labelled<ProvinceLines>[] = [];
  const provincesDir = join(dir, 'provinces');
  if (existsSync(provincesDir)) {
    for (const province of readdirSync(provincesDir).sort()) {
      const folder = join(provincesDir, province);
      if (!statSync(folder).isDirectory()) continue;
      for (const name of readdirSync(folder).sort()) {
        if (!/\.ya?ml$/.test(name)) continue;
        const file = join(folder, name);
        const lines = collect(() =>
          parseProvinceLines(readYaml(file, PovertyRulesErrorCode.InvalidProvinceLines), file),
        );
        if (!lines) continue;
        if (lines.province !== province) {
          code ??= PovertyRulesErrorCode.InvalidProvinceLines;
          issues.push(`${file}: province: "${lines.province}" but the file is under provinces/${province}/`);
          continue;
        }
        provinceLines.push({ label: file, value: lines });
      }
    }
  }

  if (issues.length === 0) {
    const catalog = collect(() => new RuleSetCatalog({ ruleSets, provinceLines, listsYear }));
    if (catalog) return catalog;
  }
  throw new PovertyRulesError(code ?? PovertyRulesErrorCode.InvalidRuleSet, `invalid poverty rules in ${dir}`, issues);
}

function readYaml(file: string, code: PovertyRulesErrorCode): unknown {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PovertyRulesError(code, `${file}: cannot read`, [`${file}: ${reason}`], { cause: error });
  }
}
