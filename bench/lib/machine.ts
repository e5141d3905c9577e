import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  totalMemoryMB: number;
  node: string;
  platform: string;
  kernel: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
  };
}

/**
 * The commit measured, and whether the working tree differed from it (files under bench/
 * excepted). A tree exported with `git archive` has no .git: BENCH_SOURCE_COMMIT names it.
 */
export function gitState(root: string): { commit: string; dirty: string[] } | null {
  if (process.env.BENCH_SOURCE_COMMIT) return { commit: process.env.BENCH_SOURCE_COMMIT, dirty: [] };
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .map((l) => l.slice(3).trim())
      .filter((f) => f && !f.startsWith('bench/') && f !== 'docs/PERFORMANCE.md');
    return { commit, dirty };
  } catch {
    return null;
  }
}
