/**
 * Figures, verdicts, the printed table and results.json. A figure is one row of the table:
 * what was measured, its target and whether it meets it.
 */

export type Verdict = 'pass' | 'FAIL' | 'info' | 'not measured' | 'not measured yet';

export interface Target {
  op: '>=' | '<=';
  value: number;
  unit: string;
}

export interface Figure {
  /** Stable key, e.g. `raw.jobsPerSecond`. */
  id: string;
  scenario: string;
  label: string;
  value: number | null;
  unit: string;
  target?: Target;
  verdict: Verdict;
  /** Free text shown after the value (e.g. the ratio's inputs, why it was not measured). */
  note?: string;
}

export function figure(
  scenario: string,
  id: string,
  label: string,
  value: number | null,
  unit: string,
  target?: Target,
  note?: string,
): Figure {
  let verdict: Verdict = 'info';
  if (value === null || Number.isNaN(value)) verdict = 'not measured';
  else if (target) verdict = (target.op === '>=' ? value >= target.value : value <= target.value) ? 'pass' : 'FAIL';
  return {
    id,
    scenario,
    label,
    value: value === null || Number.isNaN(value) ? null : value,
    unit,
    target,
    verdict,
    note,
  };
}

/** A row later work fills in: shown in the table with its target. */
export function notMeasuredYet(
  scenario: string,
  id: string,
  label: string,
  unit: string,
  target: Target,
  note: string,
): Figure {
  return { id, scenario, label, value: null, unit, target, verdict: 'not measured yet', note };
}

export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function formatValue(value: number | null, unit: string): string {
  if (value === null) return '—';
  if (unit === '%') return `${formatNumber(value)} %`;
  return `${formatNumber(value)} ${unit}`;
}

export function formatTarget(target?: Target): string {
  if (!target) return '';
  return `${target.op === '>=' ? '≥' : '≤'} ${formatValue(target.value, target.unit)}`;
}

/** The table as plain text, for the console. */
export function renderTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.label,
    f.verdict.startsWith('not measured') && f.value === null ? f.verdict : formatValue(f.value, f.unit),
    formatTarget(f.target),
    f.verdict,
  ]);
  const header = ['figure', 'measured', 'target', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)];
  const notes = figures.filter((f) => f.note).map((f) => `  · ${f.label}: ${f.note}`);
  return [...out, '', ...notes].join('\n');
}

/** The table as Markdown, for docs/PERFORMANCE.md. */
export function renderMarkdown(figures: readonly Figure[]): string {
  const rows = figures.map(
    (f) =>
      `| ${f.label} | ${f.value === null ? f.verdict : formatValue(f.value, f.unit)} | ${formatTarget(f.target)} | ${f.verdict} |`,
  );
  return ['| figure | measured | target | verdict |', '|---|---|---|---|', ...rows].join('\n');
}
