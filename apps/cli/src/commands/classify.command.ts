import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { classifyHousehold, parseHouseholdInput, PovertyRulesError, type RuleSet } from '@rasoat/poverty-rules';
import type { CliCommand, CliIo } from '../cli-command';
import { parseFlags } from '../cli-flags';
import { loadRuleSet, POVERTY_RULES_DIR } from './rule-set.loader';

const USAGE = 'classify --period YYYY-YYYY [--province CODE] < households.jsonl';

const EXIT_OK = 0;
const EXIT_BAD_LINES = 1;
const EXIT_NOT_RUN = 2;

/**
 * The `classify` command over the rule files of `rulesDir`: JSON Lines of households on stdin,
 * one JSON line `{ id, class, reasons, explanation }` per household on stdout, one stderr line per
 * problem of a bad line (`line 3: incomePerCapitaMonthly: expected an integer`). Exit 0: every
 * line classified; 1: some lines were bad (the others are still classified); 2: nothing ran
 * (usage, unknown period or province, invalid rule file).
 */
export function createClassifyCommand(rulesDir: string): CliCommand {
  return {
    name: 'classify',
    summary: 'classify households (JSON Lines on stdin) as poor / near_poor / average / not_poor',
    usage: USAGE,
    async run(args: string[], io: CliIo): Promise<number> {
      const options = parseOptions(args);
      if ('error' in options) {
        io.stderr.write(`classify: ${options.error}\nusage: ${USAGE}\n`);
        return EXIT_NOT_RUN;
      }
      let ruleSet: RuleSet;
      try {
        ruleSet = loadRuleSet(rulesDir, options.period, options.province);
      } catch (error) {
        if (!(error instanceof PovertyRulesError)) throw error;
        io.stderr.write(`classify: ${error.message}\n`);
        return EXIT_NOT_RUN;
      }
      return (await classifyLines(ruleSet, io)) ? EXIT_OK : EXIT_BAD_LINES;
    },
  };
}

/** `rasoat classify …` over `config/poverty-rules/`. */
export const classifyCommand: CliCommand = createClassifyCommand(POVERTY_RULES_DIR);

function parseOptions(args: string[]): { period: string; province?: string } | { error: string } {
  const flags = parseFlags(args, ['period', 'province']);
  if ('error' in flags) return flags;
  if (flags.positional.length > 0) return { error: `unexpected argument "${flags.positional[0]}"` };
  const { period, province } = flags.values;
  return period === undefined ? { error: 'missing --period' } : { period, province };
}

/** Classifies stdin line by line; false when any line was bad. */
async function classifyLines(ruleSet: RuleSet, io: CliIo): Promise<boolean> {
  let allGood = true;
  let lineNumber = 0;
  for await (const rawLine of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
    lineNumber++;
    // Spreadsheet exports often start with a byte-order mark.
    const line = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (line.trim() === '') continue;
    const outcome = classifyLine(line, ruleSet);
    if (outcome.ok) {
      await writeLine(io.stdout, outcome.json);
    } else {
      allGood = false;
      for (const error of outcome.errors) await writeLine(io.stderr, `line ${lineNumber}: ${error}`);
    }
  }
  return allGood;
}

function classifyLine(line: string, ruleSet: RuleSet): { ok: true; json: string } | { ok: false; errors: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, errors: [`invalid JSON: ${error instanceof Error ? error.message : String(error)}`] };
  }
  const parsed = parseHouseholdInput(value, ruleSet);
  if (!parsed.ok) return parsed;
  return { ok: true, json: JSON.stringify(classifyHousehold(ruleSet, parsed.household)) };
}

async function writeLine(stream: NodeJS.WritableStream, text: string): Promise<void> {
  // Wait for a slow reader instead of buffering a million results in memory.
  if (!stream.write(`${text}\n`)) await once(stream, 'drain');
}
