export { CalendarError, CalendarErrorCode } from './calendar-error';
export {
  CivilDateSchema,
  SUPPORTED_YEARS,
  VIETNAM_UTC_OFFSET_HOURS,
  civilDateOf,
  dmy,
  endOfDayInstant,
  isCivilDate,
  parseCivilDate,
  type CivilDate,
} from './civil-date';
export { lunarToSolar, solarToLunar, type LunarDate } from './lunar-calendar';
export {
  defaultNationalDayAdjacent,
  defaultTetDays,
  statutoryHolidays,
  tetDate,
  type DayOff,
  type DayOffKind,
  type StatutoryChoices,
} from './holiday-rules';
export * from './calendar-data.schema';
export * from './working-day-calendar';
export * from './deadline-rule.schema';
export * from './deadline-resolver';
