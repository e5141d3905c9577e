import { stepIndex, type CompiledDefinition, type Definition } from '@rasoat/workflow-core';
import type { Alarm } from '../deadlines';
import type { UnitLink } from '../units';
import { deadlineNotice, type NoticeDefinition, type NoticeSubject } from './deadline-notice';

const steps = {
  listing: { label: { vi: 'Bước 1: Lập danh sách', en: 'Step 1: listing' }, role: 'village_board' },
  report: { label: { vi: 'Bước 5: Tổng hợp, báo cáo', en: 'Step 5: report' }, role: 'commune_committee' },
} as unknown as Definition['steps'];
const definition: NoticeDefinition = {
  compiled: {
    definition: { roles: { village_board: { level: 'village' }, commune_committee: { level: 'commune' } }, steps },
  } as unknown as CompiledDefinition,
  steps: stepIndex({ steps }),
};
const chain: UnitLink[] = [
  { code: '24', name: 'Tỉnh Bắc Giang', level: 'province' },
  { code: '213', name: 'Thành phố Bắc Giang', level: 'district' },
  { code: '07000', name: 'Xã An Sơn', level: 'commune' },
  { code: '0700001', name: 'Thôn Hạ 1', level: 'village' },
];
const URL = 'https://rasoat.example.gov.vn/';
const CASE = 'c0ffee00-0000-4000-8000-000000000001';

const subject = (fields: Partial<NoticeSubject> = {}): NoticeSubject => ({
  id: 'd1',
  case_id: CASE,
  step: 'listing',
  due_date: '2026-10-30',
  village_code: '0700001',
  village_name: 'Thôn Hạ 1',
  ...fields,
});
const alarm = (kind: Alarm['kind'], level = 0): Alarm => ({ at: '2026-10-30T16:59:59.999Z', kind, level });

describe('deadlineNotice', () => {
  it('reminds the step’s role at its responsible unit, in Vietnamese then English, keyed on the deadline and the alarm', () => {
    expect(deadlineNotice(subject(), alarm('reminder', 20), 0, definition, chain, URL)).toEqual({
      dedupeKey: 'deadline:d1:alarm:0',
      caseId: CASE,
      unitCode: '0700001',
      role: 'village_board',
      template: 'deadline-reminder',
      title: 'Nhắc việc: Bước 1: Lập danh sách — hạn 30/10/2026',
      body: `Thôn Hạ 1 (0700001): bước "Bước 1: Lập danh sách" đến hạn ngày 30/10/2026 (còn 20 ngày làm việc). / Reminder: "Bước 1: Lập danh sách" is due on 2026-10-30. https://rasoat.example.gov.vn/cases/${CASE}`,
    });
  });

  it('tells the role its step is overdue, at the unit of the role’s level', () => {
    expect(
      deadlineNotice(subject({ step: 'report', due_date: '2026-12-14' }), alarm('due'), 1, definition, chain, URL),
    ).toEqual({
      dedupeKey: 'deadline:d1:alarm:1',
      caseId: CASE,
      unitCode: '07000',
      role: 'commune_committee',
      template: 'step-overdue',
      title: 'Quá hạn: Bước 5: Tổng hợp, báo cáo',
      body: `Thôn Hạ 1 (0700001): bước "Bước 5: Tổng hợp, báo cáo" đã quá hạn ngày 14/12/2026. / Overdue: "Bước 5: Tổng hợp, báo cáo" was due on 2026-12-14. https://rasoat.example.gov.vn/cases/${CASE}`,
    });
  });

  it('escalates level L to the committee L levels above the responsible unit, naming that unit', () => {
    const report = subject({ step: 'report', due_date: '2026-12-14' });
    expect(deadlineNotice(report, alarm('escalation', 1), 2, definition, chain, URL)).toEqual({
      dedupeKey: 'deadline:d1:alarm:2',
      caseId: CASE,
      unitCode: '213',
      role: 'district_committee',
      template: 'step-escalated',
      title: 'Cảnh báo quá hạn (cấp 1): Bước 5: Tổng hợp, báo cáo',
      body: `Xã An Sơn — Thôn Hạ 1 (0700001) chưa hoàn thành bước "Bước 5: Tổng hợp, báo cáo" (hạn 14/12/2026). / Escalation level 1: "Bước 5: Tổng hợp, báo cáo" overdue since 2026-12-14. https://rasoat.example.gov.vn/cases/${CASE}`,
    });
    expect(deadlineNotice(report, alarm('escalation', 2), 3, definition, chain, URL)).toMatchObject({
      unitCode: '24',
      role: 'province_committee',
      title: 'Cảnh báo quá hạn (cấp 2): Bước 5: Tổng hợp, báo cáo',
    });
  });

  it('tells nobody above the province, nor for an onDue event (not a notice)', () => {
    expect(deadlineNotice(subject({ step: 'report' }), alarm('escalation', 3), 4, definition, chain, URL)).toBeNull();
    expect(deadlineNotice(subject(), alarm('event'), 0, definition, chain, URL)).toBeNull();
  });

  it('falls back to the step id, the village board, the lowest unit known and the village code when it knows no more', () => {
    const notice = deadlineNotice(
      subject({ step: 'gone', village_name: null }),
      alarm('due'),
      0,
      definition,
      chain.slice(0, 3),
      'https://rasoat.example.gov.vn',
    );
    expect(notice).toMatchObject({ unitCode: '07000', role: 'village_board', title: 'Quá hạn: gone' });
    expect(notice?.body).toBe(
      `0700001 (0700001): bước "gone" đã quá hạn ngày 30/10/2026. / Overdue: "gone" was due on 2026-10-30. https://rasoat.example.gov.vn/cases/${CASE}`,
    );
    // Without any unit known, the notice goes to the village itself.
    expect(deadlineNotice(subject(), alarm('reminder', 5), 0, definition, [], URL)).toMatchObject({
      unitCode: '0700001',
      role: 'village_board',
    });
  });
});
