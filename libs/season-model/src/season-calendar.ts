import type { Definition } from '@rasoat/workflow-core';

/**
 * The season's dates: the campaign window, the virtual days and what happens at which hour of
 * each, the weeks the report is cut into. Civil days are `YYYY-MM-DD` in Asia/Ho_Chi_Minh.
 */

const DAY_MS = 86_400_000;

/** An instant of a civil day in Asia/Ho_Chi_Minh (`time` is `HH:MM:SS`). */
export const at = (day: string, time: string) => new Date(`${day}T${time}+07:00`);
export const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
export const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/**
 * The campaign window: the definition's own dates when it has a full-date window (a province's
 * plan for one year; `--year` must then agree), its recurring MM-DD window placed in the year,
 * otherwise 1 September – 14 December of the year.
 */
export function seasonWindow(
  definition: Pick<Definition, 'window' | 'id' | 'version'>,
  year: number | null,
  defaultYear: number,
): { start: string; end: string; year: number } {
  const declared = definition.window;
  if (declared && declared.start.length === 10) {
    const own = Number(declared.start.slice(0, 4));
    if (year !== null && year !== own)
      throw new Error(
        `${definition.id}@${definition.version} is for the ${declared.start} – ${declared.end} window: --year ${year} does not match`,
      );
    return { start: declared.start, end: declared.end, year: own };
  }
  const y = year ?? defaultYear;
  const start = `${y}-${declared?.start ?? '09-01'}`;
  const endMd = declared?.end ?? '12-14';
  const end = `${endMd < (declared?.start ?? '09-01') ? y + 1 : y}-${endMd}`;
  return { start, end, year: y };
}

/** What the simulator does during a virtual day, before the deadlines of the day fall due at its end. */
export type DayPhaseName = 'digests' | 'alarms' | 'work';

export interface DayPhase {
  name: DayPhaseName;
  /** `HH:MM:SS` in Asia/Ho_Chi_Minh. */
  time: string;
}

/**
 * The phases of every virtual day in the order they run: yesterday's digests at the digest
 * hour, the morning alarms at 08:00, the villages' work at 09:00 (a phase at the same hour as
 * another keeps this order).
 */
export function dayPlan(digestHour: number): DayPhase[] {
  const phases: DayPhase[] = [
    { name: 'digests', time: `${String(digestHour).padStart(2, '0')}:00:00` },
    { name: 'alarms', time: '08:00:00' },
    { name: 'work', time: '09:00:00' },
  ];
  return phases.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** Whether `day` ends the report's week that started on `weekFrom`: its seventh day, or the last day simulated. */
export function endsWeek(weekFrom: string, day: string, until: string): boolean {
  return daysBetween(weekFrom, day) === 6 || day === until;
}
