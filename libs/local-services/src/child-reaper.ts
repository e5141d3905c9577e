import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

const onExit = new Map<number, NodeJS.Signals>();
let hooked = false;

/**
 * Signals `pid` when this Node process exits normally (including `process.exit()`), so servers it
 * started do not outlive it. A `kill -9` of Node cannot be caught: callers handle orphans themselves.
 */
export function signalOnExit(pid: number, signal: NodeJS.Signals): void {
  onExit.set(pid, signal);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const [target, sig] of onExit) {
      try {
        process.kill(target, sig);
      } catch {
        // Already gone.
      }
    }
  });
}

/** Forgets a pid registered with {@link signalOnExit}. */
export function forgetOnExit(pid: number): void {
  onExit.delete(pid);
}

/**
 * True when `pid` is a live process. A zombie counts as dead: an orphan reparented to a PID 1 that
 * does not reap children stays a zombie forever.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // No procfs (not Linux): trust kill(0).
    return true;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `signal` to `pid` and waits until it is gone, escalating to SIGKILL after `timeoutMs`. */
export async function stopPid(pid: number, signal: NodeJS.Signals, timeoutMs = 30_000): Promise<void> {
  forgetOnExit(pid);
  const deadline = Date.now() + timeoutMs;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return;
    }
    await sleep(50);
  }
}

/** Like {@link stopPid} for a child of this process, relying on its `exit` event. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs = 30_000): Promise<void> {
  if (child.pid !== undefined) forgetOnExit(child.pid);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
