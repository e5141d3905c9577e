import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

/**
 * Summarises V8 .cpuprofile files (node --cpu-prof): self time by function and by package
 * (node_modules/<pkg>, libs/<lib>, node internals, GC, idle).
 * CLI: node scripts/run.js bench/tools/top-frames.ts <file-or-directory> [count]
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const CALLER_DEPTH = 3;

function owner(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return 'node internals';
  const lib = /\/(libs|apps|bench)\/([^/]+)/.exec(url);
  if (lib) return `${lib[1]}/${lib[2]}`;
  return url;
}

function summarise(file: string, count: number): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  // Self time per node from samples and their time deltas (µs).
  const self = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    for (let i = 0; i < profile.samples.length; i++)
      self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const byFrame = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const parent = new Map<number, ProfileNode>();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const label = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url
      ? `${url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules|libs|apps|bench)\//, '$1/')}:${lineNumber + 1}`
      : '';
    return `${functionName || '(anonymous)'} ${where}`.trim();
  };
  // Callers of each frame, a few levels up, weighted by self time.
  const callers = new Map<string, Map<string, number>>();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (!us) continue;
    const { functionName, url } = node.callFrame;
    const key = label(node);
    byFrame.set(key, (byFrame.get(key) ?? 0) + us);
    const chain: string[] = [];
    for (let p = parent.get(node.id); p && chain.length < CALLER_DEPTH; p = parent.get(p.id))
      if (p.callFrame.url && !p.callFrame.url.startsWith('node:')) chain.push(label(nodes.get(p.id) as ProfileNode));
    const perFrame = callers.get(key) ?? new Map<string, number>();
    perFrame.set(chain.join(' ← '), (perFrame.get(chain.join(' ← ')) ?? 0) + us);
    callers.set(key, perFrame);
    const o = owner(url, functionName);
    byOwner.set(o, (byOwner.get(o) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
  const busy = total - (byOwner.get('(idle)') ?? 0);
  const lines = [
    `${basename(file)}: ${(total / 1e6).toFixed(1)} s sampled, ${((busy / total) * 100).toFixed(0)} % busy`,
    '  self time by package:',
  ];
  for (const [o, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`    ${pct(us)}  ${o}`);
  lines.push('  top functions (self time):');
  const top = [...byFrame].sort((a, b) => b[1] - a[1]);
  for (const [k, us] of top.slice(0, count)) lines.push(`    ${pct(us)}  ${k}`);
  lines.push('  callers of the top native / internal frames (nearest non-internal frames first):');
  for (const [k, us] of top.filter(([k]) => !k.startsWith('(')).slice(0, 5)) {
    lines.push(`    ${pct(us)}  ${k}`);
    for (const [chain, cu] of [...(callers.get(k) ?? new Map<string, number>())]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4))
      lines.push(`        ${pct(cu)}  ← ${chain || '(no JavaScript caller)'}`);
  }
  return lines;
}

export function topFrames(path: string, count = 25): string[] {
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => join(path, f))
      : [path];
  } catch {
    return [`no profiles under ${path}`];
  }
  if (files.length === 0) return [`no profiles under ${relative(process.cwd(), path)}`];
  return files.flatMap((f) => [...summarise(f, count), '']);
}

if (process.argv[1] && process.argv[1] === __filename) {
  const [path, count] = process.argv.slice(2);
  if (!path) {
    console.error('usage: node scripts/run.js bench/tools/top-frames.ts <file-or-directory> [count]');
    process.exit(2);
  }
  for (const line of topFrames(path, Number(count ?? 25))) console.log(line);
}
