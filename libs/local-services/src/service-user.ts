import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The unprivileged account a server runs as when this process is root. */
export interface ServiceUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * `undefined` when not root (servers then run as the current user); otherwise the existing
 * `postgres` account, else `nobody`. Never creates an account: that would change the host.
 */
export function serviceUser(): ServiceUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const accounts = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 4);
  for (const name of ['postgres', 'nobody']) {
    const fields = accounts.find((f) => f[0] === name);
    if (fields) return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error(
    'Running as root, but /etc/passwd has neither a "postgres" nor a "nobody" account to run PostgreSQL as.',
  );
}

// The permission triad that applies to the user. Only the primary group counts: Node drops
// supplementary groups when it spawns with `uid`.
function permits(path: string, user: ServiceUser, bit: number): boolean {
  const st = statSync(path);
  const shift = st.uid === user.uid ? 6 : st.gid === user.gid ? 3 : 0;
  return ((st.mode >> shift) & bit) === bit;
}

/** True when `user` may search every directory from `/` down to `path` (inclusive) and `path` exists. */
export function canTraverse(path: string, user: ServiceUser): boolean {
  try {
    for (let dir = resolve(path); ; dir = dirname(dir)) {
      if (!permits(dir, user, 1)) return false;
      if (dir === dirname(dir)) return true;
    }
  } catch {
    return false;
  }
}

/** True when `user` can reach and execute `file`. */
export function canExecute(file: string, user: ServiceUser): boolean {
  try {
    return canTraverse(dirname(file), user) && permits(file, user, 5);
  } catch {
    return false;
  }
}
