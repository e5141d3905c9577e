import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import type { HouseholdRecord, HouseholdSource } from '@rasoat/household-records';
import type { Area } from '@rasoat/poverty-rules';
import type { HouseholdFacts } from '@rasoat/workflow-core';
import { householdFacts, lockCases } from '../cases';
import type { StoredClassification, SurveyAnswers } from './household-classification';
import { compareCodes, type HouseholdRow } from './household-view';

/** The `review_case` columns a household operation reads, with its campaign's province and poverty standard, and its commune's type. */
export interface HouseholdCaseRow {
  id: string;
  unit_path: string;
  village_code: string;
  commune_code: string;
  definition_key: string;
  snapshot: unknown;
  households_locked_at: Date | string | null;
  province_code: string;
  /** The year the campaign's lists apply; null when the campaign recorded no standard. */
  lists_year: number | null;
  /** The national rule set the campaign classifies with. */
  rule_set_period: string | null;
  /** The commune's unit type (`Xã`, `Phường`, `Đặc khu`…): the households' default area comes from it. */
  commune_type: string | null;
}

/** A `household_complaint` row as raw SQL returns it. */
export interface ComplaintRow {
  id: string;
  case_id: string;
  household_code: string;
  summary: string;
  filed_by: Actor;
  filed_at: Date | string;
  status: 'open' | 'resolved';
  resolution: ComplaintResolution | null;
  resolved_by: Actor | null;
  resolved_at: Date | string | null;
}

/** Stored with a resolved complaint; `previous` keeps the classification the re-check replaced. */
export interface ComplaintResolution {
  outcome: 'upheld' | 'dismissed';
  note: string;
  survey?: SurveyAnswers;
  from?: string | null;
  to?: string;
  previous?: {
    classification: string | null;
    explanation: unknown;
    ruleSet: string | null;
    provincial?: { classification: string | null; explanation: unknown; ruleSet: string | null } | null;
  };
}

/** A household to insert: the record as given and its classification, when it was surveyed. */
export interface NewHousehold {
  record: HouseholdRecord;
  classification: StoredClassification | null;
}

/** The identity and listing fields of a household, as an edit writes them. */
export interface HouseholdIdentity {
  headName: string;
  idNumber: string | null;
  address: string | null;
  memberCount: number;
  area: Area;
  source: HouseholdSource;
  note: string | null;
}

/** A `case_history` row of kind `household`. */
export interface HouseholdHistoryEntry {
  caseId: string;
  at: Date;
  eventType: string;
  actor: Actor;
  /** The case's step, recorded as both `from_step` and `to_step`: a household change moves no step. */
  step: string;
  details: Record<string, unknown>;
}

/** An import's rows are inserted this many per statement. */
const INSERT_CHUNK = 500;

/** The columns a classification writes, national then provincial, and the count of low-income workers. */
const CLASSIFICATION_SET =
  'classification = ?, explanation = ?::jsonb, rule_set = ?, provincial_classification = ?, provincial_explanation = ?::jsonb, provincial_rule_set = ?, low_income_workers = ?';

/** The provincial columns' values: all null when the province has no own lines for the lists year. */
function provincialValues(result: StoredClassification | null): unknown[] {
  const provincial = result?.provincial ?? null;
  return provincial === null
    ? [null, null, null]
    : [provincial.classification, JSON.stringify(provincial.explanation), provincial.ruleSet];
}

/** The values of `CLASSIFICATION_SET`, in its order. */
function classificationValues(result: StoredClassification): unknown[] {
  return [
    result.classification,
    JSON.stringify(result.explanation),
    result.ruleSet,
    ...provincialValues(result),
    result.lowIncomeWorkers,
  ];
}

/**
 * The SQL of the households context: the case as a household operation reads it, the
 * `household` and `household_complaint` rows, and the `household` entries of `case_history`.
 * Each statement runs on the EntityManager it is given — a fork for a read, the caller's
 * transaction for a change — so a use case's statements share its transaction and locks.
 */
@Injectable()
export class HouseholdsRepository {
  constructor(private readonly em: EntityManager) {}

  /** An EntityManager of its own for the reads of one request (no transaction). */
  fork(): EntityManager {
    return this.em.fork();
  }

  /** Runs `work` in one transaction on a fork. */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(work);
  }

  /**
   * The case with its campaign's province. With `lock`, inside a transaction: the case lock
   * first (a drain reads the facts once under it), then the row (`for update`) — the order every
   * case writer follows.
   */
  async findCase(em: EntityManager, caseId: string, lock: boolean): Promise<HouseholdCaseRow | undefined> {
    if (lock) await lockCases(em, [caseId]);
    const [row] = await em.execute<HouseholdCaseRow[]>(
      `select c.id, c.unit_path, c.village_code, c.commune_code, c.definition_key, c.snapshot, c.households_locked_at,
         k.province_code, k.lists_year, k.rule_set_period, cm.unit_type as commune_type
       from review_case c join campaign k on k.id = c.campaign_id left join admin_unit cm on cm.code = c.commune_code
       where c.id = ?${lock ? ' for update of c' : ''}`,
      [caseId],
    );
    return row;
  }

  /** The household facts the definition's guards read (the cases context's statement). */
  facts(em: EntityManager, caseId: string): Promise<HouseholdFacts> {
    return householdFacts(em, caseId);
  }

  /** The case's households with their complaint counts, in code order (H2 before H10). */
  async households(em: EntityManager, caseId: string): Promise<HouseholdRow[]> {
    const rows = await em.execute<HouseholdRow[]>(
      `select h.*, coalesce(x.total, 0)::int as complaints_total, coalesce(x.open, 0)::int as complaints_open
       from household h
       left join (select lower(household_code) as code, count(*) as total, count(*) filter (where status = 'open') as open
                  from household_complaint where case_id = ? group by 1) x on x.code = lower(h.code)
       where h.case_id = ?`,
      [caseId, caseId],
    );
    return rows.sort((a, b) => compareCodes(a.code, b.code));
  }

  /** One household of the case by code (case and surrounding spaces ignored), with its complaint counts. */
  async findHousehold(em: EntityManager, caseId: string, code: string): Promise<HouseholdRow | undefined> {
    const [row] = await em.execute<HouseholdRow[]>(
      `select h.*,
         (select count(*) from household_complaint x where x.case_id = h.case_id and lower(x.household_code) = lower(h.code))::int as complaints_total,
         (select count(*) from household_complaint x where x.case_id = h.case_id and lower(x.household_code) = lower(h.code) and x.status = 'open')::int as complaints_open
       from household h where h.case_id = ? and lower(h.code) = lower(?)`,
      [caseId, code.trim()],
    );
    return row;
  }

  /** Replaces the case's list: deletes every household, then inserts `households` (500 per statement). */
  async replaceHouseholds(
    tx: EntityManager,
    caseId: string,
    households: readonly NewHousehold[],
    actor: Actor,
    now: Date,
  ): Promise<void> {
    await tx.execute('delete from household where case_id = ?', [caseId], 'run');
    for (let start = 0; start < households.length; start += INSERT_CHUNK) {
      await this.insertHouseholds(tx, caseId, households.slice(start, start + INSERT_CHUNK), actor, now);
    }
  }

  /**
   * Inserts households in one statement. A classified household is stored with the deprivations
   * as classified, surveyed now by `actor`.
   */
  async insertHouseholds(
    tx: EntityManager,
    caseId: string,
    items: readonly NewHousehold[],
    actor: Actor,
    now: Date,
  ): Promise<void> {
    if (items.length === 0) return;
    const values: unknown[] = [];
    const tuples = items.map(({ record, classification }) => {
      values.push(
        randomUUID(),
        caseId,
        record.householdCode,
        record.headName,
        record.idNumber ?? null,
        record.address ?? null,
        record.memberCount,
        record.area,
        record.source,
        record.note ?? null,
        record.incomePerCapitaMonthly ?? null,
        record.deprivations === undefined ? null : JSON.stringify(classification?.deprivations ?? record.deprivations),
        classification ? now : null,
        classification ? actor.sub : null,
        classification?.classification ?? null,
        classification ? JSON.stringify(classification.explanation) : null,
        classification?.ruleSet ?? null,
        ...provincialValues(classification),
        classification?.lowIncomeWorkers ?? null,
        now,
        now,
      );
      return '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb, ?, ?, ?::jsonb, ?, ?, ?, ?)';
    });
    await tx.execute(
      `insert into household (id, case_id, code, head_name, id_number, address, member_count, area, source, note,
         income_per_capita_monthly, deprivations, surveyed_at, surveyed_by, classification, explanation, rule_set,
         provincial_classification, provincial_explanation, provincial_rule_set, low_income_workers, created_at, updated_at)
       values ${tuples.join(', ')}`,
      values,
      'run',
    );
  }

  /** Writes a household's identity and listing fields, and its new classification when `reclassified`. */
  async updateIdentity(
    tx: EntityManager,
    householdId: string,
    next: HouseholdIdentity,
    reclassified: StoredClassification | null,
    now: Date,
  ): Promise<void> {
    await tx.execute(
      `update household set head_name = ?, id_number = ?, address = ?, member_count = ?, area = ?, source = ?, note = ?, updated_at = ?
           ${reclassified ? `, ${CLASSIFICATION_SET}` : ''} where id = ?`,
      [
        next.headName,
        next.idNumber ?? null,
        next.address ?? null,
        next.memberCount,
        next.area,
        next.source,
        next.note ?? null,
        now,
        ...(reclassified ? classificationValues(reclassified) : []),
        householdId,
      ],
      'run',
    );
  }

  /** Writes survey answers and their classification, surveyed now by `actor`. */
  async writeSurvey(
    tx: EntityManager,
    householdId: string,
    answers: SurveyAnswers,
    result: StoredClassification,
    actor: Actor,
    now: Date,
  ): Promise<void> {
    await tx.execute(
      `update household set area = ?, income_per_capita_monthly = ?, deprivations = ?::jsonb, surveyed_at = ?, surveyed_by = ?,
         ${CLASSIFICATION_SET}, updated_at = ? where id = ?`,
      [
        answers.area,
        answers.incomePerCapitaMonthly,
        JSON.stringify(result.deprivations),
        now,
        actor.sub,
        ...classificationValues(result),
        now,
        householdId,
      ],
      'run',
    );
  }

  /**
   * Writes the survey answers and classifications of many households of one case in one
   * statement (`HouseholdSurveyService.surveyMany`), surveyed now by `actor`.
   */
  async writeSurveys(
    tx: EntityManager,
    items: readonly { householdId: string; answers: SurveyAnswers; result: StoredClassification }[],
    actor: Actor,
    now: Date,
  ): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map(({ householdId, answers, result }) => {
      const provincial = result.provincial ?? null;
      return {
        id: householdId,
        area: answers.area,
        income: answers.incomePerCapitaMonthly,
        deprivations: result.deprivations,
        classification: result.classification,
        explanation: result.explanation,
        rule_set: result.ruleSet,
        provincial_classification: provincial?.classification ?? null,
        provincial_explanation: provincial?.explanation ?? null,
        provincial_rule_set: provincial?.ruleSet ?? null,
        low_income_workers: result.lowIncomeWorkers,
      };
    });
    await tx.execute(
      `update household h set area = x.area, income_per_capita_monthly = x.income, deprivations = x.deprivations,
         surveyed_at = ?, surveyed_by = ?, classification = x.classification, explanation = x.explanation,
         rule_set = x.rule_set, provincial_classification = x.provincial_classification,
         provincial_explanation = x.provincial_explanation, provincial_rule_set = x.provincial_rule_set,
         low_income_workers = x.low_income_workers, updated_at = ?
       from jsonb_to_recordset(?::jsonb) as x(id uuid, area text, income bigint, deprivations jsonb, classification text,
         explanation jsonb, rule_set text, provincial_classification text, provincial_explanation jsonb,
         provincial_rule_set text, low_income_workers int)
       where h.id = x.id`,
      [now, actor.sub, now, JSON.stringify(rows)],
      'run',
    );
  }

  /** Writes many households' meeting votes in one statement (overwriting earlier ones). */
  async writeVotesMany(
    tx: EntityManager,
    items: readonly { householdId: string; agree: number; present: number }[],
    votedAt: Date,
    now: Date,
  ): Promise<void> {
    if (items.length === 0) return;
    await tx.execute(
      `update household h set agree_votes = x.agree, present_votes = x.present, voted_at = ?, updated_at = ?
       from jsonb_to_recordset(?::jsonb) as x(id uuid, agree int, present int) where h.id = x.id`,
      [votedAt, now, JSON.stringify(items.map((i) => ({ id: i.householdId, agree: i.agree, present: i.present })))],
      'run',
    );
  }

  /** The code of another household of the case holding certificate `number`, if any. */
  async certificateHolder(
    tx: EntityManager,
    caseId: string,
    number: string,
    exceptHouseholdId: string,
  ): Promise<string | undefined> {
    const [other] = await tx.execute<{ code: string }[]>(
      'select code from household where case_id = ? and certificate_number = ? and id <> ?',
      [caseId, number, exceptHouseholdId],
    );
    return other?.code;
  }

  async writeCertificate(tx: EntityManager, householdId: string, number: string, now: Date): Promise<void> {
    await tx.execute(
      'update household set certificate_number = ?, updated_at = ? where id = ?',
      [number, now, householdId],
      'run',
    );
  }

  /** The case's complaints, oldest first. */
  complaints(em: EntityManager, caseId: string): Promise<ComplaintRow[]> {
    return em.execute<ComplaintRow[]>('select * from household_complaint where case_id = ? order by filed_at, id', [
      caseId,
    ]);
  }

  async findComplaint(em: EntityManager, caseId: string, id: string): Promise<ComplaintRow | undefined> {
    const [row] = await em.execute<ComplaintRow[]>('select * from household_complaint where case_id = ? and id = ?', [
      caseId,
      id,
    ]);
    return row;
  }

  /** The oldest open complaint about the household with exactly this summary, if any. */
  async findOpenComplaint(
    tx: EntityManager,
    caseId: string,
    householdCode: string,
    summary: string,
  ): Promise<ComplaintRow | undefined> {
    const [same] = await tx.execute<ComplaintRow[]>(
      `select * from household_complaint where case_id = ? and lower(household_code) = lower(?) and status = 'open' and summary = ? order by filed_at limit 1`,
      [caseId, householdCode, summary],
    );
    return same;
  }

  /** Opens a complaint filed now by `actor`; its id. */
  async insertComplaint(
    tx: EntityManager,
    caseId: string,
    householdCode: string,
    summary: string,
    actor: Actor,
    now: Date,
  ): Promise<string> {
    const id = randomUUID();
    await tx.execute(
      `insert into household_complaint (id, case_id, household_code, summary, filed_by, filed_at, status) values (?, ?, ?, ?, ?::jsonb, ?, 'open')`,
      [id, caseId, householdCode, summary, JSON.stringify(actor), now],
      'run',
    );
    return id;
  }

  async resolveComplaint(
    tx: EntityManager,
    complaintId: string,
    resolution: ComplaintResolution,
    actor: Actor,
    now: Date,
  ): Promise<void> {
    await tx.execute(
      `update household_complaint set status = 'resolved', resolution = ?::jsonb, resolved_by = ?::jsonb, resolved_at = ? where id = ?`,
      [JSON.stringify(resolution), JSON.stringify(actor), now, complaintId],
      'run',
    );
  }

  async insertHistory(tx: EntityManager, entry: HouseholdHistoryEntry): Promise<void> {
    await tx.execute(
      `insert into case_history (case_id, at, kind, event_type, actor, from_step, to_step, details) values (?, ?, 'household', ?, ?::jsonb, ?, ?, ?::jsonb)`,
      [
        entry.caseId,
        entry.at,
        entry.eventType,
        JSON.stringify(entry.actor),
        entry.step,
        entry.step,
        JSON.stringify(entry.details),
      ],
      'run',
    );
  }
}
