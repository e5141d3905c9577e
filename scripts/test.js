#!/usr/bin/env node
// `npm test`: every tier, in the order that fails fastest.
//   1. type check (tsc --noEmit)  2. architecture lint (layers, contexts, cycles)  3. format (prettier)
//   4. jest: unit, integration (real PostgreSQL + Redis), end-to-end (HTTP, real processes).
// Jest's global setup finds or starts PostgreSQL and Redis itself (see libs/testing).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true' };
const extra = process.argv.slice(2);

function step(title, command, args) {
  process.stdout.write(`\n=== ${title} ===\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  process.stdout.write(
    `--- ${title}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  if (result.status !== 0) {
    if (title.startsWith('jest')) printSummary();
    process.exit(result.status ?? 1);
  }
}

if (extra.length === 0) {
  step('type check', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  step('project graph', bin('nx'), ['show', 'projects', '--json']);
  step('architecture lint', bin('eslint'), ['libs', 'apps', 'test']);
  step('format', bin('prettier'), ['--check', '--log-level', 'warn', '**/*.{ts,js}']);
}
const results = path.join(root, '.data', 'jest-results.json');
require('node:fs').mkdirSync(path.dirname(results), { recursive: true });
require('node:fs').rmSync(results, { force: true });
step('jest (unit, integration, e2e)', bin('jest'), [
  '--ci',
  '--maxWorkers=2',
  '--json',
  `--outputFile=${results}`,
  ...extra,
]);
printSummary();

/** A plain closing line that any CI reader understands. */
function printSummary() {
  try {
    const r = JSON.parse(require('node:fs').readFileSync(results, 'utf8'));
    process.stdout.write(
      `\njest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped\n`,
    );
  } catch {
    // jest wrote no results (it failed before running tests); its own output says why.
  }
}
