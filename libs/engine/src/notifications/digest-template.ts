import { dmy } from '@rasoat/calendar';
import type { DigestGroup } from '@rasoat/persistence';

/**
 * The texts of a daily digest, Vietnamese first with English beside. Pure: the digest service
 * gathers the numbers, this turns them into a subject, a plain-text body and an HTML body.
 */

export interface DigestContent {
  unitCode: string;
  unitName: string;
  role: string;
  /** The civil day the digest is named after, `YYYY-MM-DD`. */
  date: string;
  periodStart: Date;
  periodEnd: Date;
  total: number;
  unread: number;
  groups: DigestGroup[];
  publicUrl: string;
}

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

/** How each role is addressed in a message (Vietnamese, English). */
const ROLE_LABELS: Record<string, { vi: string; en: string }> = {
  village_board: { vi: 'Ban rà soát', en: 'review board' },
  surveyor: { vi: 'Rà soát viên', en: 'surveyor' },
  commune_committee: { vi: 'Ban Chỉ đạo', en: 'steering committee' },
  commune_chairman: { vi: 'Chủ tịch UBND', en: "People's Committee chairman" },
  district_committee: { vi: 'Ban Chỉ đạo', en: 'steering committee' },
  district_chairman: { vi: 'Chủ tịch UBND', en: "People's Committee chairman" },
  province_committee: { vi: 'Ban Chỉ đạo', en: 'steering committee' },
  province_chairman: { vi: 'Chủ tịch UBND', en: "People's Committee chairman" },
  province_admin: { vi: 'Quản trị quy trình', en: 'process administrator' },
  national_admin: { vi: 'Quản trị hệ thống', en: 'national administrator' },
};

/** What a notification template means, as a phrase about villages (Vietnamese, English). */
const TEMPLATE_PHRASES: Record<string, { vi: string; en: string }> = {
  'step-overdue': { vi: 'quá hạn bước', en: 'overdue on step' },
  'step-escalated': { vi: 'quá hạn (cảnh báo cấp trên) bước', en: 'overdue (escalated) on step' },
  'deadline-reminder': { vi: 'sắp đến hạn bước', en: 'due soon on step' },
};

/** `2000` → `2.000` (Vietnamese thousands separator). */
export function formatCountVi(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** `2000` → `2,000`. */
export function formatCountEn(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** An instant as `HH:MM DD/MM/YYYY` in Asia/Ho_Chi_Minh (UTC+7, no daylight saving). */
export function localDateTime(instant: Date): string {
  const local = new Date(instant.getTime() + 7 * 3_600_000).toISOString();
  return `${local.slice(11, 16)} ${dmy(local.slice(0, 10))}`;
}

/** "Ban Chỉ đạo Xã An Sơn", "Ban rà soát Thôn Đồng 1". */
export function recipientLabel(role: string, unitName: string): string {
  return `${ROLE_LABELS[role]?.vi ?? role} ${unitName}`;
}

export function caseUrl(publicUrl: string, caseId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/cases/${caseId}`;
}

function headline(group: DigestGroup): { vi: string; en: string } {
  const phrase = TEMPLATE_PHRASES[group.template];
  if (phrase && group.stepLabel) {
    return {
      vi: `${formatCountVi(group.villages)} thôn ${phrase.vi} “${group.stepLabel}”`,
      en: `${formatCountEn(group.villages)} villages ${phrase.en} "${group.step ?? group.stepLabel}"`,
    };
  }
  return {
    vi: `${formatCountVi(group.count)} × ${group.title}`,
    en: `${formatCountEn(group.count)} × ${group.template}`,
  };
}

export function renderDigest(c: DigestContent): RenderedDigest {
  const who = recipientLabel(c.role, c.unitName);
  const whoEn = `${ROLE_LABELS[c.role]?.en ?? c.role}, ${c.unitName} (${c.unitCode})`;
  const top = c.groups[0];
  const rest = c.total - (top?.count ?? 0);
  const head = top
    ? headline(top)
    : { vi: `${formatCountVi(c.total)} thông báo`, en: `${formatCountEn(c.total)} notifications` };
  const more =
    rest > 0
      ? { vi: `; +${formatCountVi(rest)} thông báo khác`, en: `; +${formatCountEn(rest)} more` }
      : { vi: '', en: '' };
  const subject = `[rasoat] Tổng hợp nhắc việc ngày ${dmy(c.date)} — ${who}: ${head.vi}${more.vi} / daily digest: ${head.en}${more.en}`;
  const inbox = `${c.publicUrl.replace(/\/+$/, '')}/api/notifications?unit=${encodeURIComponent(c.unitCode)}&role=${encodeURIComponent(c.role)}`;

  const lines: string[] = [
    `Tổng hợp nhắc việc ngày ${dmy(c.date)} — ${who}`,
    `Daily digest for ${c.date} — ${whoEn}`,
    '',
    `${formatCountVi(c.total)} thông báo mới (${formatCountVi(c.unread)} chưa đọc), từ ${localDateTime(c.periodStart)} đến ${localDateTime(c.periodEnd)}.`,
    `${formatCountEn(c.total)} new notifications (${formatCountEn(c.unread)} unread), ${c.periodStart.toISOString()} to ${c.periodEnd.toISOString()}.`,
  ];
  const html: string[] = [
    `<h2>Tổng hợp nhắc việc ngày ${esc(dmy(c.date))} — ${esc(who)}</h2>`,
    `<p lang="en"><em>Daily digest for ${esc(c.date)} — ${esc(whoEn)}</em></p>`,
    `<p>${esc(formatCountVi(c.total))} thông báo mới (${esc(formatCountVi(c.unread))} chưa đọc), từ ${esc(localDateTime(c.periodStart))} đến ${esc(localDateTime(c.periodEnd))}.<br><em>${esc(formatCountEn(c.total))} new notifications (${esc(formatCountEn(c.unread))} unread).</em></p>`,
    '<ol>',
  ];
  c.groups.forEach((g, i) => {
    const h = headline(g);
    const step = g.step ? `Bước / step: ${g.stepLabel ?? g.step} (${g.step})` : null;
    const due = g.dueDate ? `Hạn / due: ${dmy(g.dueDate)}` : null;
    const meta = [step, due].filter(Boolean).join(' · ');
    lines.push('', `${i + 1}. ${g.title} — ${h.vi} / ${h.en}`);
    if (meta) lines.push(`   ${meta}`);
    html.push(
      `<li><p><strong>${esc(g.title)}</strong> — ${esc(h.vi)}<br><em>${esc(h.en)}</em>${meta ? `<br>${esc(meta)}` : ''}</p><ul>`,
    );
    for (const item of g.items) {
      const name = item.villageCode ? `${item.villageName ?? item.villageCode} (${item.villageCode})` : 'Hồ sơ / case';
      const url = item.url ?? '';
      lines.push(`   - ${name}${url ? `: ${url}` : ''}`);
      html.push(`<li>${url ? `<a href="${esc(url)}">${esc(name)}</a>` : esc(name)}</li>`);
    }
    const hidden = g.villages - g.items.length;
    if (hidden > 0) {
      lines.push(`   … và ${formatCountVi(hidden)} thôn khác / and ${formatCountEn(hidden)} more`);
      html.push(
        `<li>… và ${esc(formatCountVi(hidden))} thôn khác / <em>and ${esc(formatCountEn(hidden))} more</em></li>`,
      );
    }
    html.push('</ul></li>');
  });
  html.push('</ol>');
  lines.push(
    '',
    `Xem hộp thư trong ứng dụng / open the inbox: ${inbox}`,
    '--',
    'Thư tự động của hệ thống rasoat, vui lòng không trả lời. / Automatic message from rasoat; please do not reply.',
  );
  html.push(
    `<p>Xem hộp thư trong ứng dụng / <em>open the inbox</em>: <a href="${esc(inbox)}">${esc(inbox)}</a></p>`,
    '<p style="color:#666">Thư tự động của hệ thống rasoat, vui lòng không trả lời. / <em>Automatic message from rasoat; please do not reply.</em></p>',
  );
  return {
    subject,
    text: lines.join('\n'),
    html: `<!doctype html><html lang="vi"><body>${html.join('\n')}</body></html>`,
  };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
