import { DigestRepository, type DigestContentRow, type NewDigestRow } from '@rasoat/engine';
import { createTestOrm, type TestOrm } from '@rasoat/testing';

const COMMITTEE = 'commune_committee';
const DATE = '2026-11-23';
const PERIOD_END = new Date('2026-11-23T17:00:00Z'); // midnight starting 24 Nov in Hà Nội
const ON_23_NOV = new Date('2026-11-23T02:00:00Z'); // 09:00 on 23 Nov in Hà Nội
const NOW = new Date('2026-11-24T00:30:00Z');
const keyOf = (unit: string, date = DATE) => `digest:${unit}:${COMMITTEE}:${date}`;

/**
 * The digests' statements on a real PostgreSQL, each test on a fresh database. The use case
 * around them (periods, batches, idempotent re-runs, concurrent runs, 2,000 villages in one
 * message) is tested through the service in notification-delivery.int-spec.ts.
 */
describe('DigestRepository', () => {
  let db: TestOrm;
  let digests: DigestRepository;
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) => db.sql<T>(query, params);

  const subscribe = (unit: string, options: { at?: string; channel?: 'email' | 'webhook'; active?: boolean } = {}) =>
    sql(
      `insert into notification_subscription (id, unit_code, role, channel, address, created_at, created_by, active)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, 'test', ?) returning id`,
      [
        unit,
        COMMITTEE,
        options.channel ?? 'webhook',
        `https://hooks.example.gov.vn/${unit}/${options.channel ?? 'webhook'}`,
        options.at ?? '2026-11-01T03:00:00Z',
        options.active ?? true,
      ],
    ).then(([row]) => row.id as string);
  const notify = (
    unit: string,
    at: Date,
    fields: { dedupeKey?: string; template?: string; caseId?: string; readAt?: Date } = {},
  ) =>
    sql(
      `insert into notification (id, dedupe_key, unit_code, role, template, title, body, case_id, created_at, read_at)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, 'x', ?, ?, ?)`,
      [
        fields.dedupeKey ?? `test:${unit}:${Math.random()}`,
        unit,
        COMMITTEE,
        fields.template ?? 'step-overdue',
        fields.template === 'deadline-reminder' ? 'Nhắc việc' : 'Quá hạn',
        fields.caseId ?? null,
        at,
        fields.readAt ?? null,
      ],
    );
  const digest = (unit: string, fields: Partial<NewDigestRow> = {}): NewDigestRow => ({
    key: keyOf(unit),
    unit_code: unit,
    role: COMMITTEE,
    period_start: new Date('2026-11-22T17:00:00Z'),
    notification_count: 3,
    subject: `Tổng hợp ${unit}`,
    body_text: 'text',
    body_html: '<p>html</p>',
    groups: [],
    ...fields,
  });

  beforeEach(async () => {
    db = await createTestOrm();
    digests = new DigestRepository(db.em);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('finds the recipients with notifications in their period: since their previous digest, else since the day they subscribed', async () => {
    await subscribe('C1'); // first digest: since 1 Nov
    await subscribe('C1', { channel: 'email' }); // a second subscription: still one recipient
    await notify('C1', ON_23_NOV);
    await subscribe('C2'); // since its 22 Nov digest
    await sql(
      `insert into notification_digest (key, unit_code, role, digest_date, period_start, period_end, notification_count, subject, body_text, body_html, groups, created_at)
               values (?, 'C2', ?, '2026-11-22', '2026-11-21T17:00:00Z', '2026-11-22T17:00:00Z', 1, 's', 't', 'h', '[]', '2026-11-23T00:30:00Z')`,
      [keyOf('C2', '2026-11-22'), COMMITTEE],
    );
    await notify('C2', ON_23_NOV);
    await subscribe('C3'); // its only notification is before its previous digest ended
    await sql(
      `insert into notification_digest (key, unit_code, role, digest_date, period_start, period_end, notification_count, subject, body_text, body_html, groups, created_at)
               values (?, 'C3', ?, '2026-11-22', '2026-11-21T17:00:00Z', '2026-11-22T17:00:00Z', 1, 's', 't', 'h', '[]', '2026-11-23T00:30:00Z')`,
      [keyOf('C3', '2026-11-22'), COMMITTEE],
    );
    await notify('C3', new Date('2026-11-22T02:00:00Z'));
    await subscribe('C4', { active: false }); // deactivated
    await notify('C4', ON_23_NOV);
    await subscribe('C5'); // the day's digest is built already
    await sql(
      `insert into notification_digest (key, unit_code, role, digest_date, period_start, period_end, notification_count, subject, body_text, body_html, groups, created_at)
               values (?, 'C5', ?, ?, '2026-11-22T17:00:00Z', ?, 1, 's', 't', 'h', '[]', ?)`,
      [keyOf('C5'), COMMITTEE, DATE, PERIOD_END, NOW],
    );
    await notify('C5', ON_23_NOV);
    await subscribe('C6', { at: '2026-11-24T00:10:00Z' }); // subscribed after the day: the day's digest still
    await notify('C6', ON_23_NOV);
    await subscribe('C7'); // only a notification at the period's end, which belongs to the next day
    await notify('C7', PERIOD_END);

    const recipients = await digests.findRecipients(DATE, PERIOD_END);
    expect(recipients.map((r) => [r.unit_code, r.role, new Date(r.period_start).toISOString()])).toEqual([
      ['C1', COMMITTEE, '2026-10-31T17:00:00.000Z'],
      ['C2', COMMITTEE, '2026-11-22T17:00:00.000Z'],
      ['C6', COMMITTEE, '2026-11-22T17:00:00.000Z'],
    ]);
  });

  it('reads a batch’s groups, the largest first, with the step and due date of their deadline, and each group’s first villages by village code', async () => {
    await sql(`insert into admin_unit (code, name, level, parent_code, path, province_code) values
               ('C1', 'Xã Một', 'commune', null, 'C1', 'C1'), ('C1V1', 'Thôn Một', 'village', 'C1', 'C1.C1V1', 'C1'),
               ('C1V2', 'Thôn Hai', 'village', 'C1', 'C1.C1V2', 'C1'), ('C1V3', 'Thôn Ba', 'village', 'C1', 'C1.C1V3', 'C1')`);
    // Three villages' cases, each with an overdue meeting deadline and its notice (one of them read).
    const cases = await sql<{ id: string; village_code: string; deadline_id: string }>(
      `with c as (
         insert into review_case (id, campaign_id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq, created_at, updated_at)
         select gen_random_uuid(), '00000000-0000-4000-8000-00000000c0de', code, 'C1', path, 'periodic-review@1', 'meeting', 'active', 3, '{}'::jsonb, 0, 0, ?, ?
         from admin_unit where parent_code = 'C1' returning id, village_code
       ), d as (
         insert into deadline (id, case_id, step, due_date, due_at, spec, status, armed_at)
         select gen_random_uuid(), id, 'meeting', '2026-11-20', '2026-11-20T16:59:59.999Z', '{}'::jsonb, 'overdue', ? from c returning id, case_id
       )
       select c.id, c.village_code, d.id as deadline_id from c join d on d.case_id = c.id order by c.village_code`,
      [ON_23_NOV, ON_23_NOV, ON_23_NOV],
    );
    for (const c of [...cases].reverse()) {
      await notify('C1', ON_23_NOV, {
        dedupeKey: `deadline:${c.deadline_id}:alarm:1`,
        caseId: c.id,
        readAt: c.village_code === 'C1V2' ? NOW : undefined,
      });
    }
    await notify('C1', ON_23_NOV, { template: 'deadline-reminder' }); // not from a deadline, no case
    await notify('C1', PERIOD_END); // the next day's
    await notify('C1', new Date('2026-11-22T16:00:00Z')); // before the recipient's period
    await notify('C2', ON_23_NOV); // another recipient, not in the batch

    const rows = await digests.transaction((tx) =>
      tx.readContent(
        [{ unit_code: 'C1', role: COMMITTEE, period_start: new Date('2026-11-22T17:00:00Z') }],
        PERIOD_END,
        2,
      ),
    );

    const pick = (r: DigestContentRow) => [
      r.kind,
      r.template,
      r.step,
      r.due_date,
      r.count,
      r.unread,
      r.villages,
      r.village_code,
      r.village_name,
    ];
    expect(rows.map(pick)).toEqual([
      ['g', 'step-overdue', 'meeting', '2026-11-20', 3, 2, 3, null, null],
      ['g', 'deadline-reminder', null, null, 1, 1, 1, null, null],
      ['i', 'deadline-reminder', null, null, null, null, null, null, null],
      ['i', 'step-overdue', 'meeting', '2026-11-20', null, null, null, 'C1V1', 'Thôn Một'],
      ['i', 'step-overdue', 'meeting', '2026-11-20', null, null, null, 'C1V2', 'Thôn Hai'],
    ]);
    expect(rows[0]).toMatchObject({
      unit_code: 'C1',
      role: COMMITTEE,
      unit_name: 'Xã Một',
      definition_key: 'periodic-review@1',
    });
    expect(rows[3].case_id).toBe(cases[0].id);
  });

  it('inserts a digest once: a second insert of the same key creates nothing and leaves the first', async () => {
    const groups = [
      {
        template: 'step-overdue',
        title: 'Quá hạn',
        step: 'meeting',
        stepLabel: 'Họp dân',
        dueDate: '2026-11-20',
        count: 3,
        unread: 3,
        villages: 3,
        items: [],
      },
    ];
    expect(
      await digests.transaction((tx) =>
        tx.insertDigests([digest('C1', { groups }), digest('C2')], DATE, PERIOD_END, NOW),
      ),
    ).toEqual([keyOf('C1'), keyOf('C2')]);
    expect(
      await digests.transaction((tx) =>
        tx.insertDigests([digest('C1', { notification_count: 99 }), digest('C3')], DATE, PERIOD_END, NOW),
      ),
    ).toEqual([keyOf('C3')]);

    const [row] = await sql<{ period_start: string; period_end: string; created_at: string }>(
      `select digest_date::text as digest_date, period_start, period_end, notification_count, subject, groups, created_at from notification_digest where key = ?`,
      [keyOf('C1')],
    );
    const instant = (value: string) => new Date(value).toISOString();
    expect({
      ...row,
      period_start: instant(row.period_start),
      period_end: instant(row.period_end),
      created_at: instant(row.created_at),
    }).toEqual({
      digest_date: DATE,
      period_start: '2026-11-22T17:00:00.000Z',
      period_end: PERIOD_END.toISOString(),
      notification_count: 3,
      subject: 'Tổng hợp C1',
      groups,
      created_at: NOW.toISOString(),
    });
  });

  it('creates one delivery per active subscription of the named digests, the HTML body for e-mail only, and none the second time', async () => {
    const webhook = await subscribe('C1');
    const email = await subscribe('C1', { channel: 'email' });
    await subscribe('C1', { channel: 'email', active: false, at: '2026-11-02T03:00:00Z' });
    await subscribe('C2'); // its digest is not named
    await digests.transaction((tx) => tx.insertDigests([digest('C1'), digest('C2')], DATE, PERIOD_END, NOW));

    const ids = await digests.transaction((tx) => tx.createDeliveries([keyOf('C1'), keyOf('C9')], NOW));
    expect(ids).toHaveLength(2);
    const rows = await sql<{
      subscription_id: string;
      digest_key: string;
      body_html: string | null;
      status: string;
      attempts: number;
    }>(
      `select subscription_id, digest_key, body_html, status, attempts from notification_delivery order by body_html nulls first`,
    );
    expect(rows).toEqual([
      { subscription_id: webhook, digest_key: keyOf('C1'), body_html: null, status: 'pending', attempts: 0 },
      { subscription_id: email, digest_key: keyOf('C1'), body_html: '<p>html</p>', status: 'pending', attempts: 0 },
    ]);
    expect(await digests.transaction((tx) => tx.createDeliveries([keyOf('C1')], NOW))).toEqual([]);
  });

  it('gives a subscription added after the day’s digest was built its delivery, once', async () => {
    await subscribe('C1');
    await digests.transaction(async (tx) => {
      await tx.insertDigests([digest('C1')], DATE, PERIOD_END, NOW);
      await tx.createDeliveries([keyOf('C1')], NOW);
    });
    expect(await digests.createLateDeliveries(DATE, NOW)).toEqual([]);

    const late = await subscribe('C1', { channel: 'email', at: '2026-11-24T03:00:00Z' });
    const [id] = await digests.createLateDeliveries(DATE, NOW);
    expect(await sql(`select subscription_id, digest_key from notification_delivery where id = ?`, [id])).toEqual([
      { subscription_id: late, digest_key: keyOf('C1') },
    ]);
    expect(await digests.createLateDeliveries(DATE, NOW)).toEqual([]);
    expect(await digests.createLateDeliveries('2026-11-22', NOW)).toEqual([]); // another day's digest does not exist
  });
});
