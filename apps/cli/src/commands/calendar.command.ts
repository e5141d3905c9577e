import {
  CalendarError,
  CalendarErrorCode,
  isCivilDate,
  SUPPORTED_YEARS,
  WorkingDayCalendar,
  type CalendarData,
} from '@rasoat/calendar';
import type { CliCommand, CliIo } from '../cli-command';
import { CALENDAR_DATA_DIR, loadCalendarData } from '@rasoat/engine';

const USAGE = [
  'calendar add-working-days YYYY-MM-DD N [--province CODE]   the N-th working day after the date (N < 0: before)',
  'calendar holidays YYYY [--province CODE]                   every day off of the year that is not a plain weekend, then weekend days worked and days announced but not yet law',
].join('\n');

const EXIT_OK = 0;
const EXIT_CALENDAR_ERROR = 1;
const EXIT_USAGE = 2;

class UsageError extends Error {}

/** The `calendar` command over the yearly data returned by `loadData` (read on each run). */
export function createCalendarCommand(loadData: () => CalendarData[]): CliCommand {
  return {
    name: 'calendar',
    summary: 'Vietnamese working-day calendar: holidays of a year, working-day arithmetic',
    usage: USAGE,
    async run(args: string[], io: CliIo): Promise<number> {
      try {
        const parsed = parseArgs(args);
        const calendar = new WorkingDayCalendar({ data: loadData(), province: parsed.province });
        io.stdout.write(render(parsed, calendar));
        return EXIT_OK;
      } catch (error) {
        if (error instanceof UsageError) {
          io.stderr.write(`calendar: ${error.message}\nusage:\n${USAGE}\n`);
          return EXIT_USAGE;
        }
        if (error instanceof CalendarError) {
          io.stderr.write(`calendar: ${error.message}\n`);
          return EXIT_CALENDAR_ERROR;
        }
        throw error;
      }
    },
  };
}

/** `rasoat calendar …` over `config/calendar/*.yaml`. */
export const calendarCommand: CliCommand = createCalendarCommand(() => loadCalendarData(CALENDAR_DATA_DIR));

type ParsedArgs =
  | { sub: 'add-working-days'; date: string; n: number; province?: string }
  | { sub: 'holidays'; year: number; province?: string };

function parseArgs(args: string[]): ParsedArgs {
  const positional: string[] = [];
  let province: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--province' || arg.startsWith('--province=')) {
      province = arg === '--province' ? args[++i] : arg.slice('--province='.length);
      if (!province || !/^[A-Za-z0-9_-]+$/.test(province))
        throw new UsageError(`bad --province "${province ?? ''}": expected a province code`);
    } else if (/^--?[A-Za-z]/.test(arg)) {
      throw new UsageError(`unknown option "${arg}"`);
    } else {
      positional.push(arg);
    }
  }
  const [sub, ...rest] = positional;
  if (sub === 'add-working-days') {
    const [date, n] = exactly(rest, 2, 'add-working-days YYYY-MM-DD N');
    if (!isCivilDate(date) || !inSupportedYears(Number(date.slice(0, 4))))
      throw new UsageError(`bad date "${date}": expected YYYY-MM-DD in ${SUPPORTED_YEARS.min}–${SUPPORTED_YEARS.max}`);
    if (!/^[+-]?\d{1,5}$/.test(n))
      throw new UsageError(`bad N "${n}": expected an integer number of working days (at most 5 digits)`);
    return { sub, date, n: Number(n), province };
  }
  if (sub === 'holidays') {
    const [year] = exactly(rest, 1, 'holidays YYYY');
    if (!/^\d{4}$/.test(year) || !inSupportedYears(Number(year))) {
      throw new UsageError(
        `bad year "${year}": expected YYYY between ${SUPPORTED_YEARS.min} and ${SUPPORTED_YEARS.max}`,
      );
    }
    return { sub, year: Number(year), province };
  }
  throw new UsageError(sub === undefined ? 'missing sub-command' : `unknown sub-command "${sub}"`);
}

function render(parsed: ParsedArgs, calendar: WorkingDayCalendar): string {
  if (parsed.sub === 'holidays') return renderYear(calendar, parsed.year);
  try {
    return `${calendar.addWorkingDays(parsed.date, parsed.n)}\n`;
  } catch (error) {
    // Counting past the supported years is a bad N, not bad data.
    if (error instanceof CalendarError && error.code === CalendarErrorCode.OutOfRange) {
      throw new UsageError(`bad N "${parsed.n}": ${error.message}`);
    }
    throw error;
  }
}

/**
 * The days off of a year, one `YYYY-MM-DD name` line each; then, when the year's data has them, the
 * weekend days worked in exchange and the days announced but not yet law, each under a heading.
 */
function renderYear(calendar: WorkingDayCalendar, year: number): string {
  const lines = (days: readonly { date: string; name: string }[]) => days.map((day) => `${day.date} ${day.name}\n`).join('');
  let out = lines(calendar.holidays(year));
  const worked = calendar.workedWeekendDays(year);
  if (worked.length) out += `\nNgày cuối tuần làm bù:\n${lines(worked)}`;
  const pending = calendar.pendingDays(year);
  if (pending.length) {
    out += `\nĐã công bố, chưa là ngày nghỉ (không tính):\n`;
    out += pending.map((day) => `${day.date} ${day.name} — ${day.source}\n`).join('');
  }
  return out;
}

function exactly(rest: string[], count: number, form: string): string[] {
  if (rest.length !== count)
    throw new UsageError(`expected ${form}, got ${rest.length} argument(s) after the sub-command`);
  return rest;
}

function inSupportedYears(year: number): boolean {
  return year >= SUPPORTED_YEARS.min && year <= SUPPORTED_YEARS.max;
}
