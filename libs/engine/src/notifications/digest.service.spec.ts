import type { AppConfig } from '@rasoat/config';
import type { CompiledDefinition } from '@rasoat/workflow-core';
import type { DefinitionRegistry } from '../definitions';
import type { DeliveryRepository } from './delivery.repository';
import type {
  DigestBatchStatements,
  DigestContentRow,
  DigestRecipientRow,
  DigestRepository,
} from './digest.repository';
import { DigestService } from './digest.service';
import type { NotificationsProducer } from './notifications.producer';

const COMMITTEE = 'commune_committee';
const NOW = new Date('2026-11-24T00:30:00Z'); // 07:30 on 24 Nov in Hà Nội
const PERIOD_END = new Date('2026-11-23T17:00:00Z'); // midnight starting 24 Nov in Hà Nội
const config = { publicUrl: 'https://rasoat.example.gov.vn', notifications: { digestMaxItems: 5 } } as AppConfig;

const recipient = (unit: string, periodStart = '2026-11-22T17:00:00Z'): DigestRecipientRow => ({
  unit_code: unit,
  role: COMMITTEE,
  period_start: new Date(periodStart),
});

const group = (unit: string, fields: Partial<DigestContentRow> = {}): DigestContentRow => ({
  kind: 'g',
  unit_code: unit,
  role: COMMITTEE,
  unit_name: `Xã ${unit}`,
  template: 'step-overdue',
  title: 'Quá hạn: Họp dân',
  step: 'meeting',
  due_date: '2026-11-20',
  definition_key: 'periodic-review@1',
  count: 3,
  unread: 2,
  villages: 3,
  case_id: null,
  village_code: null,
  village_name: null,
  ...fields,
});

const item = (of: DigestContentRow, caseId: string, village: string): DigestContentRow => ({
  ...of,
  kind: 'i',
  unit_name: null,
  definition_key: null,
  count: null,
  unread: null,
  villages: null,
  case_id: caseId,
  village_code: village,
  village_name: `Thôn ${village}`,
});

/** The service over a mocked repository, producer and registry; `calls` records the order of transactions and enqueues. */
function setup() {
  const calls: string[] = [];
  const batch: jest.Mocked<Pick<DigestBatchStatements, keyof DigestBatchStatements>> = {
    readContent: jest.fn().mockResolvedValue([]),
    insertDigests: jest.fn<Promise<string[]>, Parameters<DigestBatchStatements['insertDigests']>>(async (digests) =>
      digests.map((d) => d.key),
    ),
    createDeliveries: jest.fn<Promise<string[]>, Parameters<DigestBatchStatements['createDeliveries']>>(async (keys) =>
      keys.map((k) => `delivery:${k}`),
    ),
  };
  const digests: jest.Mocked<Pick<DigestRepository, keyof DigestRepository>> = {
    createLateDeliveries: jest.fn().mockResolvedValue([]),
    findRecipients: jest.fn().mockResolvedValue([]),
    transaction: jest.fn(async (work: (tx: DigestBatchStatements) => Promise<unknown>) => {
      const result = await work(batch as unknown as DigestBatchStatements);
      calls.push('commit');
      return result;
    }) as jest.Mocked<DigestRepository>['transaction'],
  };
  const deliveries = { pendingIds: jest.fn<Promise<string[]>, []>().mockResolvedValue([]) };
  // What each enqueue named, copied at the call (the service goes on adding to the run's list).
  const delivered: string[][] = [];
  const producer = {
    deliver: jest.fn(async (ids: readonly string[]) => {
      delivered.push([...ids]);
      calls.push(`deliver ${ids.length}`);
    }),
  };
  const definition = {
    steps: { meeting: { label: { vi: 'Bước 3: Họp dân thống nhất kết quả', en: 'Step 3: village meeting' } } },
  };
  const registry = {
    get: jest.fn(async (key: string) =>
      key === 'periodic-review@1'
        ? ({ definition } as unknown as CompiledDefinition)
        : Promise.reject(new Error(`unknown ${key}`)),
    ),
  };
  const service = new DigestService(
    digests as unknown as DigestRepository,
    deliveries as unknown as DeliveryRepository,
    registry as unknown as DefinitionRegistry,
    producer as unknown as NotificationsProducer,
    config,
  );
  return { service, digests, deliveries, batch, producer, delivered, calls };
}

describe('DigestService', () => {
  it('names the digests after the previous civil day in Hà Nội and reads the recipients of the period ending at its midnight', async () => {
    const { service, digests } = setup();
    const late = new Date('2026-11-23T20:00:00Z'); // 03:00 on 24 Nov in Hà Nội, still 23 Nov in UTC
    for (const now of [NOW, late]) {
      expect(await service.buildDigests(now)).toEqual({ date: '2026-11-23', digestsCreated: 0, deliveryIds: [] });
      expect(digests.createLateDeliveries).toHaveBeenLastCalledWith('2026-11-23', now);
      expect(digests.findRecipients).toHaveBeenLastCalledWith('2026-11-23', PERIOD_END);
    }
    expect(digests.transaction).not.toHaveBeenCalled();
  });

  it('enqueues the deliveries of late subscribers before building anything', async () => {
    const { service, digests, delivered, calls } = setup();
    digests.createLateDeliveries.mockResolvedValue(['late-1', 'late-2']);
    digests.findRecipients.mockResolvedValue([recipient('T1C1')]);
    const run = await service.buildDigests(NOW);
    expect(delivered[0]).toEqual(['late-1', 'late-2']);
    expect(calls).toEqual(['deliver 2', 'commit', 'deliver 1']);
    expect(run.deliveryIds).toEqual(['late-1', 'late-2', 'delivery:digest:T1C1:commune_committee:2026-11-23']);
  });

  it('builds 200 recipients per transaction and enqueues each batch’s deliveries after its commit', async () => {
    const { service, digests, batch, producer, calls } = setup();
    const recipients = Array.from({ length: 450 }, (_, i) => recipient(`C${String(i).padStart(3, '0')}`));
    digests.findRecipients.mockResolvedValue(recipients);
    batch.readContent.mockImplementation(async (rs) => rs.map((r) => group(r.unit_code)));
    const run = await service.buildDigests(NOW);
    expect(batch.readContent.mock.calls.map(([rs, periodEnd, maxItems]) => [rs.length, periodEnd, maxItems])).toEqual([
      [200, PERIOD_END, 5],
      [200, PERIOD_END, 5],
      [50, PERIOD_END, 5],
    ]);
    expect(batch.readContent.mock.calls[1][0][0]).toBe(recipients[200]);
    expect(calls).toEqual(['deliver 0', 'commit', 'deliver 200', 'commit', 'deliver 200', 'commit', 'deliver 50']);
    expect(run.digestsCreated).toBe(450);
    expect(run.deliveryIds).toHaveLength(450);
    expect(producer.deliver).toHaveBeenCalledTimes(4);
  });

  it('turns a recipient’s rows into one digest: its groups in the query’s order, their first villages linked, step labels from the definition', async () => {
    const { service, digests, batch } = setup();
    const overdue = group('T1C1');
    const reminder = group('T1C1', {
      template: 'deadline-reminder',
      title: 'Nhắc việc: Niêm yết',
      step: null,
      due_date: null,
      definition_key: null,
      count: 2,
      unread: 0,
      villages: 2,
    });
    digests.findRecipients.mockResolvedValue([recipient('T1C1'), recipient('T1C2', '2026-11-20T17:00:00Z')]);
    batch.readContent.mockResolvedValue([
      overdue,
      reminder,
      item(overdue, 'case-1', 'T1C1V1'),
      item(overdue, 'case-2', 'T1C1V2'),
    ]);

    const run = await service.buildDigests(NOW);

    const [[rows, date, periodEnd, now]] = batch.insertDigests.mock.calls;
    expect([date, periodEnd, now]).toEqual(['2026-11-23', PERIOD_END, NOW]);
    expect(rows).toHaveLength(1); // T1C2 had no rows: no digest
    const [digest] = rows;
    expect(digest).toMatchObject({
      key: 'digest:T1C1:commune_committee:2026-11-23',
      unit_code: 'T1C1',
      role: COMMITTEE,
      period_start: new Date('2026-11-22T17:00:00Z'),
      notification_count: 5,
    });
    expect(digest.groups).toEqual([
      {
        template: 'step-overdue',
        title: 'Quá hạn: Họp dân',
        step: 'meeting',
        stepLabel: 'Bước 3: Họp dân thống nhất kết quả',
        dueDate: '2026-11-20',
        count: 3,
        unread: 2,
        villages: 3,
        items: [
          {
            caseId: 'case-1',
            villageCode: 'T1C1V1',
            villageName: 'Thôn T1C1V1',
            url: 'https://rasoat.example.gov.vn/cases/case-1',
          },
          {
            caseId: 'case-2',
            villageCode: 'T1C1V2',
            villageName: 'Thôn T1C1V2',
            url: 'https://rasoat.example.gov.vn/cases/case-2',
          },
        ],
      },
      {
        template: 'deadline-reminder',
        title: 'Nhắc việc: Niêm yết',
        step: null,
        stepLabel: null,
        dueDate: null,
        count: 2,
        unread: 0,
        villages: 2,
        items: [],
      },
    ]);
    expect(digest.subject).toContain(
      'Ban Chỉ đạo Xã T1C1: 3 thôn quá hạn bước “Bước 3: Họp dân thống nhất kết quả”; +2 thông báo khác',
    );
    expect(digest.body_text).toContain('5 thông báo mới (2 chưa đọc)');
    expect(digest.body_html).toContain('<a href="https://rasoat.example.gov.vn/cases/case-1">');
    // Deliveries are asked for every recipient of the batch, also those another run built.
    expect(batch.createDeliveries).toHaveBeenCalledWith(
      ['digest:T1C1:commune_committee:2026-11-23', 'digest:T1C2:commune_committee:2026-11-23'],
      NOW,
    );
    expect(run).toEqual({
      date: '2026-11-23',
      digestsCreated: 1,
      deliveryIds: [
        'delivery:digest:T1C1:commune_committee:2026-11-23',
        'delivery:digest:T1C2:commune_committee:2026-11-23',
      ],
    });
  });

  it('counts only the digests the insert created (a concurrent run built the others)', async () => {
    const { service, digests, batch } = setup();
    digests.findRecipients.mockResolvedValue([recipient('T1C1'), recipient('T1C2')]);
    batch.readContent.mockResolvedValue([group('T1C1'), group('T1C2')]);
    batch.insertDigests.mockResolvedValue(['digest:T1C2:commune_committee:2026-11-23']);
    expect((await service.buildDigests(NOW)).digestsCreated).toBe(1);
  });

  it('labels a step by its id when its definition cannot be read, and names the unit by its code when it has no name', async () => {
    const { service, digests, batch } = setup();
    digests.findRecipients.mockResolvedValue([recipient('T9C9')]);
    batch.readContent.mockResolvedValue([group('T9C9', { unit_name: null, definition_key: 'retired@1' })]);
    await service.buildDigests(NOW);
    const [digest] = batch.insertDigests.mock.calls[0][0];
    expect(digest.groups[0].stepLabel).toBe('meeting');
    expect(digest.subject).toContain('Ban Chỉ đạo T9C9: 3 thôn quá hạn bước “meeting”');
  });

  it('re-enqueues, on the scheduled run, the pending deliveries this run did not create', async () => {
    const { service, digests, deliveries, delivered } = setup();
    digests.createLateDeliveries.mockResolvedValue(['late-1']);
    deliveries.pendingIds.mockResolvedValue(['old-1', 'late-1', 'old-2']);
    const run = await service.runScheduled(NOW);
    expect(run).toEqual({ date: '2026-11-23', digestsCreated: 0, deliveryIds: ['late-1'], requeued: 2 });
    expect(delivered).toEqual([['late-1'], ['old-1', 'old-2']]);
  });
});
