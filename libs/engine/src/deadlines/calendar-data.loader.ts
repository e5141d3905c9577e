import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { CalendarError, CalendarErrorCode, parseCalendarData, type CalendarData } from '@rasoat/calendar';

/** `config/calendar/` at the repository root. */
export const CALENDAR_DATA_DIR = join(__dirname, '../../../../config/calendar');

/**
 * Reads and validates every `*.yaml` file of `dir` (one year each, e.g. `vn-2026.yaml`), sorted by
 * file name. Throws `CalendarError` listing every invalid file's problems with its JSON path.
 */
export function loadCalendarData(dir: string): CalendarData[] {
  const files = readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
  const data: CalendarData[] = [];
  const issues: string[] = [];
  for (const name of files) {
    const file = join(dir, name);
    try {
      const year = parseCalendarData(parse(readFileSync(file, 'utf8')), file);
      // The file name carries the year so that an admin edits the right one.
      const named = /(\d{4})\.ya?ml$/.exec(name)?.[1];
      if (named !== undefined && Number(named) !== year.year)
        issues.push(`${file} $.year is ${year.year} but the file is named for ${named}`);
      data.push(year);
    } catch (error) {
      if (error instanceof CalendarError) issues.push(...error.issues);
      else issues.push(`${file} YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  if (issues.length > 0) {
    throw new CalendarError(CalendarErrorCode.InvalidData, `invalid calendar data in ${basename(dir)}/`, issues);
  }
  return data;
}
