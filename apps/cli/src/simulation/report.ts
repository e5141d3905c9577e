import { dmy } from '@rasoat/calendar';
import type { SeasonSummary, WeekRow } from './season-figures';
import type { SeasonHeader } from './season-setup';
import type { Pace } from '@rasoat/season-model';

/** The templates the deadline alarms write (`deadlineNotice`, libs/engine/src/cases/deadline-notice.ts). */
export const ALARM_TEMPLATES: readonly string[] = ['deadline-reminder', 'step-overdue', 'step-escalated'];

/** Vietnamese first, English after: every label of the printed report. */
const PACE_LABEL: Record<Pace, string> = {
  early: 'nhanh / early',
  typical: 'trung bình / typical',
  late: 'chậm / late',
};

const COUNTER_LABEL: Record<string, string> = {
  invalidMeetings: 'họp không hợp lệ / invalid meetings',
  resurveyRounds: 'rà soát lại / re-surveys',
  recheckRounds: 'phúc tra / re-checks',
  openComplaints: 'khiếu nại còn mở / complaints still open',
};

interface Column {
  vi: string;
  en: string;
  value(row: WeekRow): string | number;
  left?: boolean;
  /** A heading over a run of columns. */
  band?: string;
}

const FINISHED = 'Số thôn đã xong bước / villages that finished step';
const THIS_WEEK = 'Trong tuần / during the week';

/** The weekly table's columns for a definition's stages. */
function columns(header: SeasonHeader): Column[] {
  const n = (row: WeekRow, template: string) => row.notifications[template] ?? 0;
  return [
    { vi: 'Tuần', en: 'week', value: (r) => r.week },
    { vi: 'Đến ngày', en: 'until', value: (r) => dmy(r.to), left: true },
    ...header.stages.map((s, i): Column => ({
      vi: `Bước ${s.stage}`,
      en: `step ${s.stage}`,
      value: (r) => r.finished[i] ?? 0,
      band: FINISHED,
    })),
    { vi: 'Đang quá hạn', en: 'overdue now', value: (r) => r.overdue },
    { vi: 'Nhắc việc', en: 'reminders', value: (r) => n(r, 'deadline-reminder'), band: THIS_WEEK },
    { vi: 'Báo quá hạn', en: 'overdue', value: (r) => n(r, 'step-overdue'), band: THIS_WEEK },
    { vi: 'Vượt cấp', en: 'escalated', value: (r) => n(r, 'step-escalated'), band: THIS_WEEK },
    { vi: 'Khác', en: 'other', value: (r) => otherNotifications(r.notifications), band: THIS_WEEK },
    { vi: 'Bản tin', en: 'digests', value: (r) => r.digests, band: THIS_WEEK },
    { vi: 'Đã gửi', en: 'sent', value: (r) => r.deliveries, band: THIS_WEEK },
    { vi: 'Sự kiện', en: 'events', value: (r) => r.events, band: THIS_WEEK },
  ];
}

const width = (c: Column) => Math.max(c.vi.length, c.en.length, 5);
const cell = (c: Column, text: string | number) =>
  c.left ? String(text).padEnd(width(c)) : String(text).padStart(width(c));
const line = (cells: string[]) => `${cells.join('  ')}\n`.replace(/ +\n$/, '\n');

export function otherNotifications(byTemplate: Record<string, number>): number {
  return Object.entries(byTemplate)
    .filter(([t]) => !ALARM_TEMPLATES.includes(t))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** Headings over runs of columns, each starting where its first column starts. */
function bands(cols: Column[]): string {
  let out = '';
  let x = 0;
  cols.forEach((c, i) => {
    if (c.band && cols[i - 1]?.band !== c.band) out = `${out.padEnd(x)}${out.length > x ? ' ' : ''}${c.band}`;
    x += width(c) + 2;
  });
  return `${out}\n`;
}

export function renderHeader(h: SeasonHeader): string {
  const paces = (Object.keys(PACE_LABEL) as Pace[]).map((p) => `${h.paces[p]} ${PACE_LABEL[p]}`).join(', ');
  const item = (label: string, value: string) => `  ${label.padEnd(28)}${value}\n`;
  const cols = columns(h);
  return [
    'Mô phỏng mùa rà soát hộ nghèo, hộ cận nghèo / Poor-household review season simulation\n',
    item(
      'Tỉnh / province',
      `${h.province.code} ${h.province.name}: ${h.province.districts} huyện / districts, ${h.province.communes} xã / communes, ${h.province.villages} thôn / villages`,
    ),
    item('Quy trình / definition', `${h.definition.key} — ${h.definition.title}`),
    item('Hạt giống / seed', String(h.seed)),
    item(
      'Thời gian / window',
      `${dmy(h.window.start)} – ${dmy(h.window.end)}; mô phỏng đến hết / simulated through ${dmy(h.until)}`,
    ),
    item('Nhịp làm việc / pace', paces),
    item(
      'Bản tin / digests',
      `${h.subscriptions} ban chỉ đạo tỉnh, huyện, xã nhận bản tin hằng ngày qua webhook / steering committees get a daily digest by webhook`,
    ),
    ...h.stages.map((s) => item(`Bước ${s.stage} / step ${s.stage}`, s.label.replace(/^Bước \d+:\s*/, ''))),
    item(
      'Đang quá hạn / overdue now',
      'bước quá hạn chưa xong lúc nửa đêm cuối tuần / steps past due and not done at midnight ending the week',
    ),
    '\n',
    bands(cols),
    line(cols.map((c) => cell(c, c.vi))),
    line(cols.map((c) => cell(c, c.en))),
  ].join('');
}

export function renderWeek(h: SeasonHeader, row: WeekRow): string {
  return line(columns(h).map((c) => cell(c, c.value(row))));
}

export function renderSummary(h: SeasonHeader, s: SeasonSummary): string {
  const pct = (n: number, of: number) => (of === 0 ? '0' : ((100 * n) / of).toFixed(1));
  const t = (template: string) => s.notifications[template] ?? 0;
  const others = Object.entries(s.notifications).filter(([k]) => !ALARM_TEMPLATES.includes(k));
  const counters = Object.entries(s.counters).map(([k, n]) => `${n} ${COUNTER_LABEL[k] ?? k}`);
  const row = (label: string, value: string) => `  ${label.padEnd(46)} ${value}\n`;
  const minutes = Math.floor(s.wallSeconds / 60);
  const seconds = Math.round(s.wallSeconds - minutes * 60);
  return [
    '\nTổng kết / summary\n',
    row(
      'Thôn hoàn thành / villages completed',
      `${s.completed} / ${s.villages} (${pct(s.completed, s.villages)} %); trong hạn / by ${dmy(h.window.end)}: ${s.completedInWindow}`,
    ),
    row(
      'Số ngày để hoàn thành / days to complete',
      s.averageDaysToComplete === null
        ? '—'
        : `trung bình / average ${s.averageDaysToComplete.toFixed(1)}, trung vị / median ${s.medianDaysToComplete} (ngày kể từ / days from ${dmy(h.window.start)})`,
    ),
    row(
      'Theo nhịp / by pace (hoàn thành / completed)',
      (Object.keys(PACE_LABEL) as Pace[])
        .map((p) => `${PACE_LABEL[p]} ${s.byPace[p].completed}/${s.byPace[p].villages}`)
        .join(', '),
    ),
    row('Nhắc việc / reminders', String(t('deadline-reminder'))),
    row('Báo quá hạn / overdue notices', String(t('step-overdue'))),
    row('Cảnh báo vượt cấp / escalations', String(t('step-escalated'))),
    row(
      'Thông báo khác / other notifications',
      others.length > 0 ? others.map(([k, n]) => `${k} ${n}`).join(', ') : '0',
    ),
    row(
      'Sự kiện / events',
      `${s.events.accepted} nhận / accepted (${s.events.system} của hệ thống / from the system): ${s.events.applied} áp dụng / applied, ${s.events.rejected} bị từ chối / rejected` +
        (s.events.refused > 0 ? `; ${s.events.refused} không được nhận / refused at acceptance` : ''),
    ),
    row('Bộ đếm hồ sơ / case counters', counters.length > 0 ? counters.join(', ') : '0'),
    row(
      'Bản tin / digests',
      `${s.digests} bản tin / digests, ${s.deliveries.sent}/${s.deliveries.created} lần gửi thành công / deliveries sent`,
    ),
    row('Ngày ảo / virtual days', String(s.virtualDays)),
    row('Thời gian chạy / wall time', `${minutes} phút ${seconds} giây / ${minutes} min ${seconds} s`),
  ].join('');
}

/** `--json`: one JSON object per line: the header, each week, the summary. */
export function jsonHeader(h: SeasonHeader): string {
  return `${JSON.stringify({ type: 'header', ...h })}\n`;
}

export function jsonWeek(h: SeasonHeader, row: WeekRow): string {
  const finished = Object.fromEntries(h.stages.map((s, i) => [String(s.stage), row.finished[i] ?? 0]));
  return `${JSON.stringify({
    type: 'week',
    ...row,
    finished,
    reminders: row.notifications['deadline-reminder'] ?? 0,
    overdueNotices: row.notifications['step-overdue'] ?? 0,
    escalations: row.notifications['step-escalated'] ?? 0,
  })}\n`;
}

export function jsonSummary(s: SeasonSummary): string {
  return `${JSON.stringify({ type: 'summary', ...s })}\n`;
}
