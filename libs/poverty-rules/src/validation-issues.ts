import type { z } from 'zod';

/**
 * Turns zod issues into `path: message` lines (`areas.rural.povertyLine: …`,
 * `deprivations[2]: …`); an issue at the root is the bare message. An unknown key gets a line of
 * its own so that each typo is named where an admin looks for it.
 */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`)
      : [issue.path.length > 0 ? `${formatPath(issue.path)}: ${issue.message}` : issue.message],
  );
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, segment) => {
    if (typeof segment === 'number') return `${acc}[${segment}]`;
    const key = String(segment);
    if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${acc}[${JSON.stringify(key)}]`;
    return acc === '' ? key : `${acc}.${key}`;
  }, '');
}
