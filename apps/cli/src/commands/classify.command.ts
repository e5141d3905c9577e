import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { loadRuleSetCatalog, POVERTY_RULES_DIR } from '@rasoat/engine';
import {
  classifyHousehold,
  parseHouseholdInput,
  PovertyRulesError,
  type RuleSet,
  type RuleSetCatalog,
} from '@rasoat/poverty-rules';
import type { CliCommand, CliIo } from '../cli-command';
import { parseFlags } from '../cli-flags';

const USAGE = 'classify (--lists-year YYYY | --period YYYY-YYYY) [--province CODE] < households.jsonl';

const EXIT_OK = 0;
const EXIT_BAD_LINES = 1;
const EXIT_NOT_RUN = 2;

/** The national rule set, and the province's own lines beside it when `--province` was given. */
interface Rules {
  national: RuleSet;
  provincial?: RuleSet;
}

/**
 * The `classify` command over the rule files of `rulesDir`: JSON Lines of households on stdin,
 * one JSON line `{ id, class, reasons, explanation }` per household on stdout — the national
 * classification, with `provincial: { class, reasons, explanation }` beside it under
 * `--province` — and one stderr line per problem of a bad line
 * (`line 3: incomePerCapitaMonthly: expected an integer`). `--lists-year` picks the rule set in
 * force for the lists of that year (and the province's lines of that year), `--period` names it.
 * Exit 0: every line classified; 1: some lines were bad (the others are still classified); 2:
 * nothing ran (usage, unknown period or province, invalid rule files).
 */
export function createClassifyCommand(rulesDir: string): CliCommand {
  return {
    name: 'classify',
    summary:
      'classify households (JSON Lines on stdin) as poor / near_poor / average / not_poor, nationally and by a province’s own lines',
    usage: USAGE,
    async run(args: string[], io: CliIo): Promise<number> {
      const options = parseOptions(args);
      if ('error' in options) {
        io.stderr.write(`classify: ${options.error}\nusage: ${USAGE}\n`);
        return EXIT_NOT_RUN;
      }
      let rules: Rules;
      try {
        const resolved = resolveRules(loadRuleSetCatalog(rulesDir), options);
        if ('error' in resolved) {
          io.stderr.write(`classify: ${resolved.error}\n`);
          return EXIT_NOT_RUN;
        }
        rules = resolved;
      } catch (error) {
        if (!(error instanceof PovertyRulesError)) throw error;
        io.stderr.write(`classify: ${error.message}\n`);
        return EXIT_NOT_RUN;
      }
      return (await classifyLines(rules, io)) ? EXIT_OK : EXIT_BAD_LINES;
    },
  };
}

/** `rasoat classify …` over `config/poverty-rules/`. */
export const classifyCommand: CliCommand = createClassifyCommand(POVERTY_RULES_DIR);

interface Options {
  period?: string;
  listsYear?: number;
  province?: string;
}

function parseOptions(args: string[]): Options | { error: string } {
  const flags = parseFlags(args, ['period', 'lists-year', 'province']);
  if ('error' in flags) return flags;
  if (flags.positional.length > 0) return { error: `unexpected argument "${flags.positional[0]}"` };
  const { period, province } = flags.values;
  const listsYear = flags.values['lists-year'];
  if (period === undefined && listsYear === undefined) return { error: 'give --lists-year or --period' };
  if (listsYear !== undefined && !/^\d{4}$/.test(listsYear))
    return { error: `--lists-year "${listsYear}" is not a year (YYYY)` };
  return {
    ...(period !== undefined ? { period } : {}),
    ...(listsYear !== undefined ? { listsYear: Number(listsYear) } : {}),
    ...(province !== undefined ? { province } : {}),
  };
}

/** The rule sets the options name, or why there is none (each message lists what exists). */
function resolveRules(catalog: RuleSetCatalog, options: Options): Rules | { error: string } {
  const periods = catalog.periods().join(', ') || 'none';
  let national: RuleSet | undefined;
  if (options.listsYear !== undefined) {
    national = catalog.inForce(options.listsYear);
    if (national === undefined)
      return {
        error: `no poverty standard is in force for the lists of ${options.listsYear}; known periods: ${periods}`,
      };
    if (options.period !== undefined && options.period !== national.period)
      return {
        error: `the lists of ${options.listsYear} use period ${national.period}, not ${options.period}`,
      };
  } else {
    national = catalog.ruleSet(options.period as string);
    if (national === undefined) return { error: `unknown period "${options.period}"; known periods: ${periods}` };
  }
  if (options.province === undefined) return { national };

  const { period } = national;
  if (options.listsYear !== undefined) {
    const provincial = catalog.provincialRuleSet(period, options.province, options.listsYear);
    if (provincial !== undefined) return { national, provincial };
    const withLines = catalog.provincesWithLines(period, options.listsYear).join(', ') || 'none';
    return {
      error: `no lines of province "${options.province}" for the lists of ${options.listsYear} (period ${period}); provinces with own lines that year: ${withLines}`,
    };
  }
  const candidates = catalog.provinceRuleSets(period, options.province);
  if (candidates.length === 1) return { national, provincial: candidates[0] };
  if (candidates.length > 1)
    return {
      error: `province "${options.province}" has ${candidates.length} sets of lines in period ${period}: give --lists-year`,
    };
  const withLines = catalog.provincesWithLines(period).join(', ') || 'none';
  return {
    error: `no lines of province "${options.province}" for period ${period}; provinces with own lines: ${withLines}`,
  };
}

/** Classifies stdin line by line; false when any line was bad. */
async function classifyLines(rules: Rules, io: CliIo): Promise<boolean> {
  let allGood = true;
  let lineNumber = 0;
  for await (const rawLine of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
    lineNumber++;
    // Spreadsheet exports often start with a byte-order mark.
    const line = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (line.trim() === '') continue;
    const outcome = classifyLine(line, rules);
    if (outcome.ok) {
      await writeLine(io.stdout, outcome.json);
    } else {
      allGood = false;
      for (const error of outcome.errors) await writeLine(io.stderr, `line ${lineNumber}: ${error}`);
    }
  }
  return allGood;
}

function classifyLine(line: string, rules: Rules): { ok: true; json: string } | { ok: false; errors: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, errors: [`invalid JSON: ${error instanceof Error ? error.message : String(error)}`] };
  }
  const parsed = parseHouseholdInput(value, rules.national);
  if (!parsed.ok) return parsed;
  const national = classifyHousehold(rules.national, parsed.household);
  if (rules.provincial === undefined) return { ok: true, json: JSON.stringify(national) };
  // Side by side: the national class for national reports, the province's for its own programmes.
  const { class: provincialClass, reasons, explanation } = classifyHousehold(rules.provincial, parsed.household);
  return {
    ok: true,
    json: JSON.stringify({ ...national, provincial: { class: provincialClass, reasons, explanation } }),
  };
}

async function writeLine(stream: NodeJS.WritableStream, text: string): Promise<void> {
  // Wait for a slow reader instead of buffering a million results in memory.
  if (!stream.write(`${text}\n`)) await once(stream, 'drain');
}
