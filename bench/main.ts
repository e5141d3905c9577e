import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BenchContext, type Scale } from './lib/context';
import { CpuSampler, formatCpu, type CpuReport } from './lib/cpu';
import { gitState, machineInfo } from './lib/machine';
import { figure, renderMarkdown, renderTable, type Figure } from './lib/report';
import { ROOT, startServices, type BenchServices } from './lib/services';
import { SCENARIOS } from './scenarios';
import { topFrames } from './tools/top-frames';

/**
 * `npm run bench [-- --scale small] [--only NAME[,NAME]] [--profile] [--out FILE]`
 *
 * Runs the scenarios of bench/scenarios in order against real PostgreSQL and Redis (found
 * like `npm start` and the tests do), in a fresh database and under a private queue prefix
 * that are dropped at the end; prints the table and writes the figures as JSON.
 */
interface Args {
  scale: Scale;
  only: string[] | null;
  profile: boolean;
  out: string | null;
  markdown: boolean;
  waitQuiet: boolean;
}

const USAGE = `usage: npm run bench -- [--scale full|small] [--only ${SCENARIOS.map((s) => s.name).join('|')}[,…]] [--profile] [--markdown] [--out FILE]
  --scale small   a tenth of the counts (checks the harness in about a minute)
  --only NAMES    run only these scenarios (comma-separated), in the usual order
  --profile       run the processes under test with --cpu-prof (.data/bench/profiles) and print their top frames
  --markdown      also print the table as Markdown
  --no-wait-quiet do not wait for other processes to calm down before each scenario (by default up
                  to 90 s before the run and before each scenario, 2.5 min in all)
  --out FILE      where to write the JSON (default bench/results.json for a full run of everything,
                  .data/bench/results.<scale>[.<names>].json otherwise)
environment: BENCH_DATABASE_URL / BENCH_REDIS_URL (servers to use), WORKER_CONCURRENCY (default from
  config/defaults.yaml), BENCH_WORKER_PROCESSES (queued-apply, default 1), BENCH_HTTP_IN_FLIGHT (default 64),
  BENCH_LATENCY_RATE (default 500), BENCH_LATENCY_LIGHT_RATE (default 100),
  BENCH_CHILD_NODE_ARGS (extra node flags for the processes under test, e.g. --max-old-space-size=256)`;

function parseArgs(argv: string[]): Args {
  const args: Args = { scale: 'full', only: null, profile: false, out: null, markdown: false, waitQuiet: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('--scale')) {
      const v = value();
      if (v !== 'full' && v !== 'small') throw new Error(`--scale is full or small, not ${v}`);
      args.scale = v;
    } else if (a.startsWith('--only')) {
      args.only = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = args.only.filter((n) => !SCENARIOS.some((s) => s.name === n));
      if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`);
    } else if (a === '--profile') args.profile = true;
    else if (a === '--markdown') args.markdown = true;
    else if (a === '--no-wait-quiet') args.waitQuiet = false;
    else if (a.startsWith('--out')) args.out = value();
    else if (a !== '--') throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  return args;
}

const started = Date.now();
/** At most this long waiting for a quiet machine over the whole run (90 s before any one scenario). */
const QUIET_BUDGET_MS = 150_000;

function log(line: string): void {
  console.log(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
}

/**
 * Cores used by processes that are not part of the run (another test run, a build), including
 * busy time no live process accounts for beyond the ~0.1 core the kernel's networking takes.
 */
function foreignCores(report: CpuReport): number {
  const unattributed = Math.max(0, (report.unattributedCores ?? 0) - 0.1);
  return (
    Object.values(report.others).reduce((a, b) => a + b, 0) +
    (report.cores['postgres (other databases)'] ?? 0) +
    unattributed
  );
}

/**
 * Waits until processes other than the bench's own use less than a fifth of a core for two
 * seconds (a test run or a build on the same machine skews every figure), at most `maxMs`.
 * Returns the last reading.
 */
async function waitQuiet(sampler: CpuSampler, maxMs: number): Promise<CpuReport> {
  const until = Date.now() + maxMs;
  for (let warned = false; ;) {
    const from = sampler.snapshot();
    await new Promise((r) => setTimeout(r, 2000));
    const report = CpuSampler.report(from, sampler.snapshot());
    const foreign = foreignCores(report);
    if (foreign < 0.2 || Date.now() > until) {
      if (foreign >= 0.2)
        log(`WARNING: other processes still use ${foreign.toFixed(2)} cores (${formatCpu(report)}); measuring anyway`);
      return report;
    }
    if (!warned) log(`waiting for other processes to calm down: ${formatCpu(report)}`);
    warned = true;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scenarios = SCENARIOS.filter((s) => !args.only || args.only.includes(s.name));
  const profileDir = args.profile
    ? resolve(ROOT, '.data/bench/profiles', new Date().toISOString().replace(/[:.]/g, '-'))
    : undefined;
  const machine = machineInfo();
  const git = gitState(ROOT);
  if (git)
    log(
      `commit ${git.commit.slice(0, 12)}${git.dirty.length ? ` with ${git.dirty.length} changed files outside bench/` : ''}`,
    );
  log(
    `${machine.cpuCount} × ${machine.cpuModel}, ${machine.totalMemoryMB} MB, Node ${machine.node}; scale ${args.scale}; scenarios: ${scenarios.map((s) => s.name).join(', ')}`,
  );

  let services: BenchServices | undefined;
  let ctx: BenchContext | undefined;
  const figures: Figure[] = [];
  const errors: Record<string, string> = {};
  const cpu: Record<string, unknown> = {};
  const quiet: Record<string, CpuReport> = {};
  let interrupted = false;
  const cleanup = async () => {
    await ctx?.close().catch((e) => log(`closing: ${(e as Error).message}`));
    await services?.cleanup();
  };
  process.once('SIGINT', () => {
    interrupted = true;
    log('interrupted: cleaning up');
    void cleanup().finally(() => process.exit(130));
  });

  // What else keeps the machine busy: the figures are only as good as the machine is quiet.
  const firstWait = Date.now();
  const background = await waitQuiet(new CpuSampler(), args.waitQuiet ? 90_000 : 0);
  let waited = Date.now() - firstWait;
  log(`before the run, ${formatCpu(background)}`);

  try {
    services = await startServices(log);
    ctx = new BenchContext(services, args.scale, profileDir, log);
    for (const scenario of scenarios) {
      if (interrupted) break;
      log(`── ${scenario.name}: ${scenario.title}`);
      const loads = !scenario.placeholder && !scenario.passive;
      if (args.waitQuiet && loads) {
        const waitStart = Date.now();
        quiet[scenario.name] = await waitQuiet(ctx.cpu, Math.min(90_000, Math.max(0, QUIET_BUDGET_MS - waited)));
        waited += Date.now() - waitStart;
      }
      const from = ctx.cpu.snapshot();
      try {
        const rows = await scenario.run(ctx);
        ctx.figures.push(...rows);
        figures.push(...rows);
      } catch (e) {
        const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
        errors[scenario.name] = message;
        log(`${scenario.name} FAILED: ${message}`);
        figures.push(
          figure(
            scenario.name,
            `${scenario.name}.error`,
            `${scenario.title} (failed)`,
            null,
            '',
            undefined,
            message.split('\n')[0],
          ),
        );
      }
      const used = CpuSampler.report(from, ctx.cpu.snapshot());
      cpu[scenario.name] = used;
      // The most disturbed measurement window, or the whole scenario when it declared none.
      const windows = ctx.windows[scenario.name]?.length ? ctx.windows[scenario.name] : [used];
      const worst = windows.reduce((a, b) => (foreignCores(b) > foreignCores(a) ? b : a));
      const foreign = foreignCores(worst);
      if (loads && foreign >= 0.2) {
        const named = Object.entries(worst.others).map(([k, v]) => `${k} ${v}`);
        if (worst.unattributedCores) named.push(`${worst.unattributedCores} unattributed`);
        const note = `DISTURBED: other processes used ~${foreign.toFixed(2)} cores while this was measured (${named.join(', ')})`;
        log(note);
        for (const f of figures.filter((f) => f.scenario === scenario.name))
          f.note = f.note ? `${f.note}; ${note}` : note;
      }
    }
  } finally {
    if (!interrupted) await cleanup();
  }
  if (interrupted || !services || !ctx) return;

  console.log(`\n${renderTable(figures)}\n`);
  if (args.markdown) console.log(`${renderMarkdown(figures)}\n`);
  const results = {
    date: new Date().toISOString(),
    scale: args.scale,
    scenarios: scenarios.map((s) => s.name),
    durationSeconds: Math.round((Date.now() - started) / 100) / 10,
    machine,
    git,
    services: {
      postgres: services.postgres,
      redis: { source: services.redis.source, version: services.redis.version },
    },
    backgroundBeforeRun: background,
    backgroundBeforeEachScenario: quiet,
    settings: { workerConcurrency: ctx.config.worker.concurrency, ormPoolMax: 10 },
    figures,
    details: ctx.details,
    cpu,
    errors,
  };
  const out = resolve(
    ROOT,
    args.out ??
      (args.scale === 'full' && !args.only
        ? 'bench/results.json'
        : `.data/bench/results.${args.scale}${args.only ? `.${args.only.join('+')}` : ''}.json`),
  );
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`results written to ${out}`);
  if (profileDir) {
    for (const line of topFrames(profileDir, 25)) console.log(line);
  }
  if (Object.keys(errors).length > 0) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
