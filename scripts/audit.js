#!/usr/bin/env node
// `npm run audit:prod`: `npm audit` of the production dependencies (devDependencies left out),
// failing on high or critical advisories.
//
//   exit 0  no advisory at or above the level (default: high; `--level=moderate` to be stricter)
//   exit 1  advisories at or above the level: each is listed with the fix npm knows of
//   exit 2  the audit could not run (registry unreachable, or a mirror without the advisory
//           endpoint): nothing is known, which is not the same as clean
//
// Not part of `npm test`: it needs the registry's advisory service, which CI may not reach.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const LEVELS = ['info', 'low', 'moderate', 'high', 'critical'];
const levelArg = process.argv.find((a) => a.startsWith('--level='));
const level = levelArg ? levelArg.slice('--level='.length) : 'high';
if (!LEVELS.includes(level)) {
  process.stderr.write(`unknown --level=${level}; use one of ${LEVELS.join(', ')}\n`);
  process.exit(2);
}
const failing = LEVELS.slice(LEVELS.indexOf(level));

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = spawnSync(npm, ['audit', '--omit=dev', '--json'], {
  cwd: path.resolve(__dirname, '..'),
  encoding: 'utf8',
  timeout: 180_000,
  maxBuffer: 64 * 1024 * 1024,
});

let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  report = undefined;
}
const counts = report && report.metadata && report.metadata.vulnerabilities;
if (!counts) {
  const why =
    (report && (report.message || (report.error && report.error.summary))) ||
    run.error?.message ||
    (run.stderr || '').trim().split('\n').pop() ||
    `npm audit exited with ${run.status}`;
  process.stdout.write(`npm audit --omit=dev: could not run: ${why}\n`);
  process.exit(2);
}

const total = LEVELS.reduce((n, l) => n + (counts[l] || 0), 0);
process.stdout.write(
  `npm audit --omit=dev: ${total} vulnerable package(s) in production dependencies (${LEVELS.map((l) => `${l} ${counts[l] || 0}`).join(', ')})\n`,
);
const bad = Object.values(report.vulnerabilities || {}).filter((v) => failing.includes(v.severity));
for (const v of bad) {
  const advisories = (v.via || []).filter((x) => typeof x === 'object').map((x) => `${x.title} (${x.url || x.source})`);
  const via = advisories.length > 0 ? advisories.join('; ') : `through ${(v.via || []).join(', ')}`;
  const fix =
    v.fixAvailable === true
      ? 'fix: npm audit fix'
      : v.fixAvailable
        ? `fix: ${v.fixAvailable.name}@${v.fixAvailable.version}${v.fixAvailable.isSemVerMajor ? ' (semver-major)' : ''}`
        : 'no fix available';
  process.stdout.write(`  ${v.severity.padEnd(8)} ${v.name} ${v.range}: ${via}; ${fix}\n`);
}
if (bad.length > 0) {
  process.stdout.write(
    `${bad.length} package(s) at or above "${level}": upgrade the pinned versions (package.json) where a compatible fix exists.\n`,
  );
  process.exit(1);
}
