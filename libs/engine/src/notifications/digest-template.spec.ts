import { dmy } from '@rasoat/calendar';
import type { DigestGroup } from '@rasoat/persistence';
import { formatCountEn, formatCountVi, localDateTime, recipientLabel, renderDigest } from './digest-template';

const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    caseId: `c${i}`,
    villageCode: `V${i}`,
    villageName: `Thôn ${i}`,
    url: `https://rasoat.example/cases/c${i}`,
  }));

const overdue: DigestGroup = {
  template: 'step-overdue',
  title: 'Quá hạn: Họp dân',
  step: 'meeting',
  stepLabel: 'Họp dân',
  dueDate: '2026-11-20',
  count: 2000,
  unread: 1990,
  villages: 2000,
  items: items(3),
};

describe('renderDigest', () => {
  const base = {
    unitCode: '07000',
    unitName: 'Xã An Sơn',
    role: 'commune_committee',
    date: '2026-11-23',
    periodStart: new Date('2026-11-22T17:00:00Z'),
    periodEnd: new Date('2026-11-23T17:00:00Z'),
    publicUrl: 'https://rasoat.example/',
  };

  it('names the day, the committee and the largest group in the subject, in Vietnamese then English', () => {
    const { subject } = renderDigest({ ...base, total: 2000, unread: 1990, groups: [overdue] });
    expect(subject).toBe(
      '[rasoat] Tổng hợp nhắc việc ngày 23/11/2026 — Ban Chỉ đạo Xã An Sơn: 2.000 thôn quá hạn bước “Họp dân” / daily digest: 2,000 villages overdue on step "meeting"',
    );
  });

  it('groups by template and step with counts, lists the first villages with links and counts the rest', () => {
    const reminder: DigestGroup = {
      template: 'deadline-reminder',
      title: 'Nhắc việc: Niêm yết — hạn 25/11/2026',
      step: 'posting',
      stepLabel: 'Niêm yết',
      dueDate: '2026-11-25',
      count: 4,
      unread: 4,
      villages: 4,
      items: items(4),
    };
    const { subject, text, html } = renderDigest({ ...base, total: 2004, unread: 1994, groups: [overdue, reminder] });
    expect(subject).toContain('; +4 thông báo khác');
    expect(text).toContain('2.004 thông báo mới (1.994 chưa đọc)');
    expect(text).toContain(
      '1. Quá hạn: Họp dân — 2.000 thôn quá hạn bước “Họp dân” / 2,000 villages overdue on step "meeting"',
    );
    expect(text).toContain('Bước / step: Họp dân (meeting) · Hạn / due: 20/11/2026');
    expect(text).toContain('   - Thôn 0 (V0): https://rasoat.example/cases/c0');
    expect(text).toContain('… và 1.997 thôn khác / and 1,997 more');
    expect(text).toContain('2. Nhắc việc: Niêm yết — hạn 25/11/2026 — 4 thôn sắp đến hạn bước “Niêm yết”');
    expect(text).toContain('https://rasoat.example/api/notifications?unit=07000&role=commune_committee');
    expect(text).toContain('từ 00:00 23/11/2026 đến 00:00 24/11/2026');
    expect(html).toContain('<a href="https://rasoat.example/cases/c0">Thôn 0 (V0)</a>');
  });

  it('escapes HTML and falls back to the title for unknown templates', () => {
    const odd: DigestGroup = {
      template: 'custom',
      title: 'Hồ sơ <b>mới</b>',
      step: null,
      stepLabel: null,
      dueDate: null,
      count: 2,
      unread: 0,
      villages: 1,
      items: [],
    };
    const { subject, html } = renderDigest({
      ...base,
      role: 'village_board',
      unitName: 'Thôn Đồng 1',
      total: 2,
      unread: 0,
      groups: [odd],
    });
    expect(subject).toContain('Ban rà soát Thôn Đồng 1: 2 × Hồ sơ <b>mới</b>');
    expect(html).toContain('Hồ sơ &lt;b&gt;mới&lt;/b&gt;');
    expect(html).not.toContain('<b>mới</b>');
  });
});

describe('formatting helpers', () => {
  it('formats counts, dates and local times', () => {
    expect(formatCountVi(2000)).toBe('2.000');
    expect(formatCountVi(1234567)).toBe('1.234.567');
    expect(formatCountVi(12)).toBe('12');
    expect(formatCountEn(2000)).toBe('2,000');
    expect(dmy('2026-11-23')).toBe('23/11/2026');
    expect(localDateTime(new Date('2026-11-23T17:00:00Z'))).toBe('00:00 24/11/2026');
    expect(recipientLabel('district_committee', 'Huyện Yên Thế')).toBe('Ban Chỉ đạo Huyện Yên Thế');
    expect(recipientLabel('unknown_role', 'X')).toBe('unknown_role X');
  });
});
