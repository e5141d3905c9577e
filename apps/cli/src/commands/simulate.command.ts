import { loadConfig } from '@rasoat/config';
import { loadCatalog } from '@rasoat/definition-catalog';
import type { CliCommand, CliIo } from '../cli-command';
import { jsonHeader, jsonSummary, jsonWeek, renderHeader, renderSummary, renderWeek } from '../simulation/report';
import { runSeason, seasonWindow, type SeasonHeader } from '../simulation/season';
import { startSimulationServices } from '../simulation/services';
import { isPeriodicReview } from '@rasoat/season-model';

const USAGE =
  'simulate [--province CODE] [--villages N] [--seed S] [--definition KEY] [--year YYYY] [--days-after N] [--json] [--keep] [--verbose]';

const HELP = `usage: npm run -s rasoat -- ${USAGE}

Plays a whole campaign season in virtual time against the real engine (PostgreSQL and Redis
found like \`npm start\` finds them; a throwaway database and queue prefix), with seeded
village behaviour, and prints weekly progress per step and the notifications sent.

  --province CODE    province code of the simulated demo province (default: the definition's
                     province, else ${'`demo.provinceCode`'} of config/defaults.yaml, "24")
  --villages N       only the first N of its 2,127 villages (default: all)
  --seed S           seed of the villages' behaviour (default 1); the same seed gives the same report
  --definition KEY   shipped definition version (default periodic-review@1); on one whose steps
                     move on the household records (periodic-review@2 to @4) the villages
                     also import, survey and vote on their household lists
  --year YYYY        campaign year; window 1 September – 14 December (default 2026, or the
                     year of a province definition's own window)
  --days-after N     virtual days simulated after the window end (default 10)
  --json             one JSON object per line (header, weeks, summary) instead of the table
  --keep             keep the database (its URL is printed on stderr)
  --verbose          the engine's log lines on stderr
environment: DATABASE_URL / REDIS_URL name the servers to use (a new database is created on
DATABASE_URL's server); WORKER_CONCURRENCY; the digest hour is notifications.digestHour.`;

interface SimulateArgs {
  provinceCode?: string;
  villages?: number;
  seed: number;
  definitionKey: string;
  year?: number;
  daysAfter: number;
  json: boolean;
  keep: boolean;
  verbose: boolean;
}

class UsageError extends Error {}

const VALUED = ['province', 'villages', 'seed', 'definition', 'year', 'days-after'];
const SWITCHES = ['json', 'keep', 'verbose'];

function parseArgs(args: string[]): SimulateArgs | 'help' {
  const values: Record<string, string> = {};
  const switches = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h' || arg === 'help') return 'help';
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unexpected argument "${arg}"`);
    const [, name, inline] = match;
    if (SWITCHES.includes(name) && inline === undefined) {
      switches.add(name);
    } else if (VALUED.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      values[name] = value;
    } else {
      throw new UsageError(`unknown option "--${name}"`);
    }
  }
  const int = (name: string, min: number, max: number): number | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
      throw new UsageError(`bad --${name} "${v}": expected an integer from ${min} to ${max}`);
    return Number(v);
  };
  const province = values.province;
  if (province !== undefined && !/^[0-9A-Z]{2,8}$/.test(province))
    throw new UsageError(`bad --province "${province}": expected a province code such as 24`);
  const definitionKey = values.definition ?? 'periodic-review@1';
  if (!/^[a-z][a-z0-9-]*@\d+$/.test(definitionKey))
    throw new UsageError(`bad --definition "${definitionKey}": expected id@version, e.g. periodic-review@1`);
  return {
    provinceCode: province,
    villages: int('villages', 1, 100_000),
    seed: int('seed', 0, 0xffffffff) ?? 1,
    definitionKey,
    year: int('year', 2000, 2100),
    daysAfter: int('days-after', 0, 60) ?? 10,
    json: switches.has('json'),
    keep: switches.has('keep'),
    verbose: switches.has('verbose'),
  };
}

/**
 * `rasoat simulate`: a campaign season in virtual time (apps/cli/src/simulation). `env` is
 * where DATABASE_URL / REDIS_URL and the settings come from; tests pass their own servers.
 */
export function createSimulateCommand(options: { env?: NodeJS.ProcessEnv; handleSignals?: boolean } = {}): CliCommand {
  return {
    name: 'simulate',
    summary: 'play a campaign season in virtual time against the real engine; weekly progress and notifications',
    usage: USAGE,
    async run(args: string[], io: CliIo): Promise<number> {
      let parsed: SimulateArgs | 'help';
      try {
        parsed = parseArgs(args);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        io.stderr.write(`simulate: ${error.message}\nusage: npm run -s rasoat -- ${USAGE}\n`);
        return 2;
      }
      if (parsed === 'help') {
        io.stdout.write(`${HELP}\n`);
        return 0;
      }
      const env = options.env ?? process.env;
      const log = (line: string) => io.stderr.write(`[simulate] ${line}\n`);

      // Refuse what cannot run before starting any server: an unknown definition, a year its window excludes.
      const catalog = loadCatalog();
      const entry = catalog.get(parsed.definitionKey);
      if (!entry) {
        io.stderr.write(
          `simulate: unknown definition "${parsed.definitionKey}"; shipped: ${[...catalog.keys()].sort().join(', ')}\n`,
        );
        return 2;
      }
      if (!isPeriodicReview(entry.definition)) {
        io.stderr.write(
          `simulate: the village model plays the periodic review (periodic-review and the province definitions extending it); ${parsed.definitionKey} is another process\n`,
        );
        return 2;
      }
      const base = loadConfig(env);
      try {
        seasonWindow(entry.definition, parsed.year ?? null, base.demo.year);
      } catch (error) {
        io.stderr.write(`simulate: ${(error as Error).message}\n`);
        return 2;
      }

      let stop = false;
      const onSignal = () => {
        stop = true;
        log('interrupted: finishing the current virtual day, then cleaning up (Ctrl-C again to kill)');
      };
      if (options.handleSignals) process.once('SIGINT', onSignal);
      const services = await startSimulationServices({
        databaseUrl: base.databaseUrl,
        redisUrl: base.redisUrl,
        dataDir: base.dataDir,
        log,
      });
      log(services.description);
      let header: SeasonHeader | undefined;
      try {
        const summary = await runSeason(
          {
            provinceCode: parsed.provinceCode,
            villages: parsed.villages,
            seed: parsed.seed,
            definitionKey: parsed.definitionKey,
            year: parsed.year,
            daysAfterWindow: parsed.daysAfter,
            databaseUrl: services.databaseUrl,
            redisUrl: services.redisUrl,
            queuePrefix: services.queuePrefix,
            env,
            log,
            verbose: parsed.verbose,
            shouldStop: () => stop,
          },
          {
            header: (h) => {
              header = h;
              io.stdout.write(parsed.json ? jsonHeader(h) : renderHeader(h));
            },
            week: (row) =>
              io.stdout.write(
                parsed.json ? jsonWeek(header as SeasonHeader, row) : renderWeek(header as SeasonHeader, row),
              ),
          },
        );
        io.stdout.write(parsed.json ? jsonSummary(summary) : renderSummary(header as SeasonHeader, summary));
        return stop ? 130 : 0;
      } finally {
        if (options.handleSignals) process.removeListener('SIGINT', onSignal);
        await services.cleanup({ keepDatabase: parsed.keep });
        if (parsed.keep) log(`database kept: ${services.databaseUrl}`);
      }
    },
  };
}

/** `npm run -s rasoat -- simulate …` */
export const simulateCommand: CliCommand = createSimulateCommand({ handleSignals: true });
