/** Parses `--name value` pairs; anything else (or an unknown name) is an error naming it. */
export function parseFlags(
  args: string[],
  known: string[],
): { values: Record<string, string>; positional: string[] } | { error: string } {
  const values: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (!known.includes(name)) return { error: `unknown option ${arg}` };
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) return { error: `option ${arg} needs a value` };
    values[name] = value;
    i++;
  }
  return { values, positional };
}
