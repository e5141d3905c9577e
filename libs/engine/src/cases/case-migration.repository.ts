import { Injectable } from '@nestjs/common';
import type { RequiredEntityData } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DefinitionAudit } from '@rasoat/persistence';
import type { ResolvedDeadline } from '@rasoat/workflow-core';
import type { Alarm } from '../deadlines';
import { lockCases } from './case-lock';

/** The campaign whose cases move, with its province's path. */
export interface MigrationCampaignRow {
  id: string;
  province_code: string;
  definition_id: string;
  definition_key: string;
  window_start: string;
  window_end: string;
  path: string;
}

/** A case as a migration plans and moves it. */
export interface MigrationCaseRow {
  id: string;
  village_code: string;
  commune_code: string;
  unit_path: string;
  definition_key: string;
  step: string;
  status: string;
  max_stage: number;
  snapshot: unknown;
  accepted_seq: number;
  applied_seq: number;
}

/** A deadline of the case still ringing (armed or overdue). */
export interface OpenDeadlineRow {
  id: string;
  step: string;
  status: string;
  due_at: Date;
  due_date: string;
}

/**
 * The SQL of moving a campaign's cases to another version of their definition: the campaign and
 * its cases, one case and its open deadlines locked, their rows rewritten, the campaign re-pinned
 * and the move audited. The history, counters and new deadlines go through CaseEffectWriter.
 * Runs on the entity manager it is given: a transaction's, or a fork.
 */
@Injectable()
export class CaseMigrationRepository {
  async findCampaign(em: EntityManager, campaignId: string): Promise<MigrationCampaignRow | undefined> {
    const [row] = await em.execute<MigrationCampaignRow[]>(
      `select k.id, k.province_code, k.definition_id, k.definition_key, k.window_start::text as window_start, k.window_end::text as window_end, u.path
       from campaign k join admin_unit u on u.code = k.province_code where k.id = ?`,
      [campaignId],
    );
    return row;
  }

  /** The campaign's cases by village code. */
  casesOf(em: EntityManager, campaignId: string): Promise<MigrationCaseRow[]> {
    return em.execute<MigrationCaseRow[]>(
      `select id, village_code, commune_code, unit_path, definition_key, step, status, max_stage, snapshot, accepted_seq, applied_seq
       from review_case where campaign_id = ? order by village_code`,
      [campaignId],
    );
  }

  /** Takes the case lock (`lockCases`), then the case row (`for update`), and answers the row. */
  async lockCase(tx: EntityManager, caseId: string): Promise<MigrationCaseRow> {
    await lockCases(tx, [caseId]);
    const [row] = await tx.execute<MigrationCaseRow[]>('select * from review_case where id = ? for update', [caseId]);
    return row;
  }

  /** The case's armed and overdue deadlines, locked (`for update`). */
  openDeadlines(tx: EntityManager, caseId: string): Promise<OpenDeadlineRow[]> {
    return tx.execute<OpenDeadlineRow[]>(
      `select id, step, status, due_at, due_date::text as due_date from deadline where case_id = ? and status in ('armed', 'overdue') for update`,
      [caseId],
    );
  }

  /** Moves a deadline to `step` with the new rule and alarm plan, its alarms counted from the first again. */
  async moveDeadline(
    tx: EntityManager,
    id: string,
    to: { step: string; spec: ResolvedDeadline; alarms: Alarm[]; nextAlarmAt: Date | null },
  ): Promise<void> {
    await tx.execute(
      'update deadline set step = ?, spec = ?::jsonb, alarms = ?::jsonb, next_alarm = 0, next_alarm_at = ? where id = ?',
      [to.step, JSON.stringify(to.spec), JSON.stringify(to.alarms), to.nextAlarmAt, id],
      'run',
    );
  }

  /** Pins the case to `definitionKey` with its mapped snapshot and step. */
  async saveMigratedCase(
    tx: EntityManager,
    caseId: string,
    to: { definitionKey: string; snapshot: unknown; step: string; maxStage: number; now: Date },
  ): Promise<void> {
    await tx.execute(
      'update review_case set definition_key = ?, snapshot = ?::jsonb, step = ?, max_stage = ?, updated_at = ? where id = ?',
      [to.definitionKey, JSON.stringify(to.snapshot), to.step, to.maxStage, to.now, caseId],
      'run',
    );
  }

  /** Pins the campaign (the cases it starts from now on) to `definitionKey`. */
  async pinCampaign(tx: EntityManager, campaignId: string, definitionKey: string): Promise<void> {
    await tx.execute('update campaign set definition_key = ? where id = ?', [definitionKey, campaignId], 'run');
  }

  async insertAudit(tx: EntityManager, audit: RequiredEntityData<DefinitionAudit>): Promise<void> {
    tx.create(DefinitionAudit, audit);
    await tx.flush();
  }
}
