import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';

/** A case as its view reads it (`review_case` with its village's name and its campaign). */
export interface CaseViewRow {
  id: string;
  campaign_id: string;
  village_code: string;
  commune_code: string;
  unit_path: string;
  definition_key: string;
  snapshot: unknown;
  village_name: string;
  province_code: string;
  year: number;
  window_start: string;
  window_end: string;
}

/** What scoping and masking a case's history need: where the case sits and its definition version. */
export interface CaseScopeRow {
  unit_path: string;
  definition_key: string;
  village_code: string;
  commune_code: string;
}

/** A deadline of a case as the view lists it (instants as the driver returns them). */
export interface CaseDeadlineRow {
  id: string;
  step: string;
  dueDate: string;
  dueAt: Date | string;
  status: string;
  armedAt: Date | string;
  closedAt: Date | string | null;
}

/** An event of a case still waiting to be applied. */
export interface PendingEventRow {
  id: string;
  seq: number;
  type: string;
  receivedAt: Date | string;
}

/** A case in a campaign's list. */
export interface CaseListRow {
  id: string;
  villageCode: string;
  villageName: string;
  communeCode: string;
  step: string;
  status: string;
  updatedAt: Date | string;
}

/**
 * The SQL of the read side of cases: one case with its deadlines and waiting events, and a
 * campaign's cases under a unit. Its history and refused events are `CaseHistoryRepository`'s.
 * Runs on the entity manager it is given (the view's repeatable-read transaction, or a fork).
 */
@Injectable()
export class CaseViewRepository {
  async findCase(em: EntityManager, caseId: string): Promise<CaseViewRow | undefined> {
    const [row] = await em.execute<CaseViewRow[]>(
      `select c.*, u.name as village_name, k.province_code, k.year, k.window_start::text as window_start, k.window_end::text as window_end
       from review_case c join admin_unit u on u.code = c.village_code join campaign k on k.id = c.campaign_id where c.id = ?`,
      [caseId],
    );
    return row;
  }

  async findScope(em: EntityManager, caseId: string): Promise<CaseScopeRow | undefined> {
    const [row] = await em.execute<CaseScopeRow[]>(
      `select unit_path, definition_key, village_code, commune_code from review_case where id = ?`,
      [caseId],
    );
    return row;
  }

  /** The case's deadlines, in the order they were armed. */
  deadlines(em: EntityManager, caseId: string): Promise<CaseDeadlineRow[]> {
    return em.execute<CaseDeadlineRow[]>(
      `select id, step, due_date::text as "dueDate", due_at as "dueAt", status, armed_at as "armedAt", closed_at as "closedAt" from deadline where case_id = ? order by armed_at, due_at`,
      [caseId],
    );
  }

  /** The case's events still pending, in sequence order. */
  pendingEvents(em: EntityManager, caseId: string): Promise<PendingEventRow[]> {
    return em.execute<PendingEventRow[]>(
      `select id, seq, type, received_at as "receivedAt" from case_event where case_id = ? and status = 'pending' order by seq`,
      [caseId],
    );
  }

  /** A page of a campaign's cases under `unitPath` (at `step` when given), by village code. */
  list(
    em: EntityManager,
    filter: { campaignId: string; unitPath: string; step?: string; limit: number; offset: number },
  ): Promise<CaseListRow[]> {
    return em.execute<CaseListRow[]>(
      `select c.id, c.village_code as "villageCode", u.name as "villageName", c.commune_code as "communeCode", c.step, c.status, c.updated_at as "updatedAt"
       from review_case c join admin_unit u on u.code = c.village_code
       where c.campaign_id = ? and c.unit_path like ? ${filter.step ? 'and c.step = ?' : ''}
       order by c.village_code limit ? offset ?`,
      [filter.campaignId, `${filter.unitPath}%`, ...(filter.step ? [filter.step] : []), filter.limit, filter.offset],
    );
  }
}
