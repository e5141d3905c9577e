import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * CPU time of the processes that take part in a scenario, from /proc (Linux): the bench
 * process, its children (API/worker), Redis, the PostgreSQL backends of the run's database
 * (`postgres`), the other PostgreSQL processes (server processes such as the WAL writer,
 * backends of other databases — e.g. a test run on the same server), every other
 * process on the machine by command name (to see a run disturbed by something else), and
 * the machine's total busy time. Processes that exit during an interval take their CPU
 * time with them; the pools here keep theirs open.
 */

const TICK_MS = 10; // USER_HZ is 100 on Linux x86-64

export interface CpuSnapshot {
  at: number;
  /** Ticks per process: key `label` for tracked ones, `comm:<name>` otherwise. */
  processes: Map<number, { key: string; ticks: number }>;
  machine: { busy: number; total: number; fields: number[] } | null;
}

export interface CpuReport {
  wallSeconds: number;
  /** CPU seconds / wall seconds per process group: 1.0 = one core saturated. */
  cores: Record<string, number>;
  /** The busiest processes outside the bench, PostgreSQL and Redis (cores). */
  others: Record<string, number>;
  /** Share of all cores busy, from /proc/stat (everything on the machine, kernel included). */
  machineBusyPercent: number | null;
  /** The machine's time by kind (% of all cores): user, system, irq, softirq, steal. */
  machineBreakdown?: Record<string, number>;
  /**
   * Busy cores of the machine not attributed to any process alive at the end of the interval:
   * kernel work (softirq) plus processes that came and went (another test run's workers).
   */
  unattributedCores?: number;
}

function readStat(pid: string): { comm: string; ticks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    // Fields after the command: state(0) … utime(11) stime(12)
    return { comm: stat.slice(open + 1, close), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number; fields: number[] } | null {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    const v = cpu.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: steal is the hypervisor's, not ours.
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0) - (v[7] ?? 0);
    const idle = v[3] + (v[4] ?? 0);
    return { busy: total - idle, total, fields: v };
  } catch {
    return null;
  }
}

function postgresRole(pid: string, databases: readonly string[]): string {
  try {
    // Backends retitle themselves "postgres: [cluster: ]user database host(port) state".
    const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    if (databases.some((d) => title.includes(` ${d} `))) return 'postgres';
    return /\(\d+\)|\[local\]/.test(title) ? 'postgres (other databases)' : 'postgres (server processes)';
  } catch {
    return 'postgres (server processes)';
  }
}

export class CpuSampler {
  /** Tracked processes by label (children, Redis). */
  private readonly tracked = new Map<string, number>();

  /** The run's databases, whose backends are reported as `postgres`. */
  private readonly databases: string[];

  /** `database`: the run's database, whose backends are reported as `postgres`. */
  constructor(database?: string) {
    this.databases = database ? [database] : [];
  }

  /** Another database of the run (e.g. the national season's own): its backends count as `postgres` too. */
  addDatabase(database: string): void {
    this.databases.push(database);
  }

  track(label: string, pid: number | undefined): void {
    if (pid) this.tracked.set(label, pid);
  }

  untrack(label: string): void {
    this.tracked.delete(label);
  }

  snapshot(): CpuSnapshot {
    const labels = new Map([
      [process.pid, 'bench'],
      ...[...this.tracked].map(([label, pid]) => [pid, label] as [number, string]),
    ]);
    const processes = new Map<number, { key: string; ticks: number }>();
    let entries: string[] = [];
    try {
      entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
    } catch {
      // No procfs.
    }
    for (const entry of entries) {
      const stat = readStat(entry);
      if (!stat) continue;
      const pid = Number(entry);
      const key =
        labels.get(pid) ?? (stat.comm === 'postgres' ? postgresRole(entry, this.databases) : `comm:${stat.comm}`);
      processes.set(pid, { key, ticks: stat.ticks });
    }
    return { at: Date.now(), processes, machine: machineTicks() };
  }

  static report(from: CpuSnapshot, to: CpuSnapshot): CpuReport {
    const wallSeconds = (to.at - from.at) / 1000;
    const byKey = new Map<string, number>();
    for (const [pid, { key, ticks }] of to.processes) {
      const delta = Math.max(0, ticks - (from.processes.get(pid)?.ticks ?? 0));
      byKey.set(key, (byKey.get(key) ?? 0) + delta);
    }
    const cores = (ticks: number) =>
      wallSeconds > 0 ? Math.round(((ticks * TICK_MS) / 1000 / wallSeconds) * 100) / 100 : 0;
    const result: Record<string, number> = {};
    const others: Record<string, number> = {};
    for (const [key, ticks] of [...byKey].sort((a, b) => b[1] - a[1])) {
      if (key.startsWith('comm:')) {
        if (cores(ticks) >= 0.02) others[key.slice(5)] = cores(ticks);
      } else if (cores(ticks) > 0 || !key.startsWith('postgres (')) result[key] = cores(ticks);
    }
    let machineBusyPercent: number | null = null;
    let machineBreakdown: Record<string, number> | undefined;
    if (from.machine && to.machine && to.machine.total > from.machine.total) {
      const span = to.machine.total - from.machine.total;
      machineBusyPercent = Math.round(((to.machine.busy - from.machine.busy) / span) * 1000) / 10;
      const share = (i: number) =>
        Math.round((((to.machine?.fields[i] ?? 0) - (from.machine?.fields[i] ?? 0)) / span) * 1000) / 10;
      machineBreakdown = {
        user: share(0) + share(1),
        system: share(2),
        irq: share(5),
        softirq: share(6),
        steal: share(7),
      };
    }
    let unattributedCores: number | undefined;
    if (machineBusyPercent !== null) {
      const attributed = [...byKey.values()].reduce((sum, ticks) => sum + cores(ticks), 0);
      unattributedCores = Math.max(
        0,
        Math.round(((machineBusyPercent / 100) * cpus().length - attributed) * 100) / 100,
      );
    }
    return {
      wallSeconds: Math.round(wallSeconds * 100) / 100,
      cores: result,
      others,
      machineBusyPercent,
      machineBreakdown,
      unattributedCores,
    };
  }
}

export function formatCpu(report: CpuReport): string {
  const parts = Object.entries(report.cores).map(([label, c]) => `${label} ${c.toFixed(2)}`);
  const others = Object.entries(report.others).map(([label, c]) => `${label} ${c.toFixed(2)}`);
  const breakdown = report.machineBreakdown
    ? ` (${Object.entries(report.machineBreakdown)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`
    : '';
  const unattributed = report.unattributedCores ? `, ${report.unattributedCores} cores of it unattributed` : '';
  return `cpu cores used over ${report.wallSeconds} s: ${parts.join(', ')}${others.length ? `; others: ${others.join(', ')}` : ''}${report.machineBusyPercent === null ? '' : `; machine ${report.machineBusyPercent}% busy${breakdown}${unattributed}`}`;
}

/** CPU milliseconds per unit of work (event, job) for each process group. */
export function cpuMsPer(report: CpuReport, units: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(report.cores).map(([label, cores]) => [
      label,
      Math.round(((cores * report.wallSeconds * 1000) / units) * 100) / 100,
    ]),
  );
}

export function formatCpuMs(perUnit: Record<string, number>): string {
  return Object.entries(perUnit)
    .filter(([, ms]) => ms > 0)
    .map(([label, ms]) => `${label} ${ms}`)
    .join(', ');
}
