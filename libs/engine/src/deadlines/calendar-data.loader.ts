import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseCalendarData, type CalendarData } from '@rasoat/calendar';

export const CALENDAR_DIR = resolve(__dirname, '../../../../config/calendar');

/**
 * Reads every yearly calendar file (`config/calendar/*.yaml`): official adjustments and
 * provincial days off, editable without code. Errors name the file and the JSON path.
 */
export function loadCalendarData(dir: string = CALENDAR_DIR): CalendarData[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    return [];
  }
  return names.map((name) => parseCalendarData(parse(readFileSync(join(dir, name), 'utf8')), join('config/calendar', name)));
}
