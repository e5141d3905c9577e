import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import type { Actor } from '@rasoat/contracts';
import { parseHouseholdFile, writeHouseholdFile, type HouseholdFileFormat, type HouseholdRecord, type ImportError, type UploadLimitExceeded } from '@rasoat/household-records';
import type { RuleSet } from '@rasoat/poverty-rules';
import { CaseSnapshotSchema, stableJson, vi, type CaseSnapshot, type CompiledDefinition, type HouseholdFacts, type HouseholdOperation } from '@rasoat/workflow-core';
import { assertInScope, seesPersonalData } from '../auth';
import { CaseNotFoundException, householdFacts, lockCases } from '../cases';
import { DefinitionRegistry } from '../definitions';
import { CLOCK, type Clock } from '../infrastructure';
import { assertHouseholdOperation, openOperations, type CaseAccessState } from './household-access';
import { CERTIFIABLE_CLASSES, classifyAnswers, sameAnswers, type StoredClassification, type SurveyAnswers } from './household-classification';
import type { AddHouseholdBody, CertificateBody, ComplaintBody, EditHouseholdBody, RecheckBody, SurveyBody, VotesBody } from './household-requests';
import { HouseholdRuleSets } from './household-rule-sets';
import { compareCodes, householdRecord, householdView, incomeOf, type HouseholdRow, type HouseholdView } from './household-view';
import { voteIssues } from './household-votes';
import { ComplaintNotFoundException, HouseholdConflictException, HouseholdInvalidException, HouseholdNotFoundException, RuleSetUnavailableException } from './households.exception';

interface CaseRow {
  id: string;
  unit_path: string;
  village_code: string;
  commune_code: string;
  definition_key: string;
  snapshot: unknown;
  households_locked_at: Date | string | null;
  province_code: string;
}

/** A case loaded for a household operation: its definition, state and who is reading. */
interface LoadedCase extends CaseAccessState {
  row: CaseRow;
  /** The reader may see personal data (village or commune official of this case). */
  personal: boolean;
}

interface ComplaintRow {
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
interface ComplaintResolution {
  outcome: 'upheld' | 'dismissed';
  note: string;
  survey?: SurveyAnswers;
  from?: string | null;
  to?: string;
  previous?: { classification: string | null; explanation: unknown; ruleSet: string | null };
}

export interface ComplaintView {
  id: string;
  householdCode: string;
  /** Free text that may name people: null for readers who may not see personal data. */
  summary: string | null;
  status: 'open' | 'resolved';
  filedAt: string;
  filedBy: { role: string; unit: string };
  resolution: { outcome: string; note: string | null; from: string | null; to: string | null; resurveyed: boolean } | null;
  resolvedAt: string | null;
  resolvedBy: { role: string; unit: string } | null;
}

export interface HouseholdList {
  caseId: string;
  villageCode: string;
  step: { id: string; label: string };
  /** Household operations open in the current step, and whether the lists are locked. */
  operations: HouseholdOperation[];
  locked: boolean;
  /** `full` for the village's and commune's officials; otherwise names, ID numbers and addresses are masked. */
  personalData: 'full' | 'masked';
  facts: HouseholdFacts;
  households: HouseholdView[];
}

/** `limit`: the file went past an upload limit (the reading stopped there; `errors` holds that one problem). */
export type ImportOutcome =
  | { ok: false; errors: ImportError[]; limit?: UploadLimitExceeded }
  | { ok: true; imported: number; classified: number; replaced: number; unchanged: boolean };

/** The result of a change: the household as the actor may see it, and whether anything changed (false for a repeated request). */
export interface HouseholdChange {
  household: HouseholdView;
  changed: boolean;
}

const FILE_TYPES: Record<HouseholdFileFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** At most this many codes are listed in one history entry (an import may hold 10,000). */
const HISTORY_CODES = 200;
const INSERT_CHUNK = 500;

/**
 * The households bounded context: a village case's review list — import, survey and
 * classification, meeting votes, complaints and their re-check, certificates. Every change
 * locks the case row (the same lock the engine takes to apply events, so guards read a
 * consistent list), checks scope, role and the operations the current step opens, writes a
 * `household` history entry with household codes only, and commits in one transaction.
 * Repeating a request changes nothing and writes no second history entry.
 */
@Injectable()
export class HouseholdsService {
  constructor(
    private readonly em: EntityManager,
    private readonly registry: DefinitionRegistry,
    private readonly ruleSets: HouseholdRuleSets,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // ---- reading -------------------------------------------------------------------------------

  async list(caseId: string, actor: Actor): Promise<HouseholdList> {
    const em = this.em.fork();
    const c = await this.loadCase(em, caseId, actor, false);
    const [rows, facts] = await Promise.all([this.rows(em, caseId), householdFacts(em, caseId)]);
    const { operations, locked } = openOperations(c);
    const step = c.compiled.definition.steps[c.snapshot.step];
    return {
      caseId,
      villageCode: c.row.village_code,
      step: { id: c.snapshot.step, label: step ? vi(step.label) : c.snapshot.step },
      operations,
      locked,
      personalData: c.personal ? 'full' : 'masked',
      facts,
      households: rows.map((row) => householdView(row, c.personal)),
    };
  }

  /** The list as a household file (the import's columns), masked for readers who may not see personal data. */
  async exportFile(caseId: string, actor: Actor, format: HouseholdFileFormat): Promise<{ content: Buffer; contentType: string; fileName: string }> {
    const em = this.em.fork();
    const c = await this.loadCase(em, caseId, actor, false);
    const rows = await this.rows(em, caseId);
    const content = await writeHouseholdFile(rows.map((row) => householdRecord(row, c.personal)), format);
    return { content, contentType: FILE_TYPES[format], fileName: `danh-sach-ho-${c.row.village_code}.${format}` };
  }

  async complaints(caseId: string, actor: Actor): Promise<ComplaintView[]> {
    const em = this.em.fork();
    const c = await this.loadCase(em, caseId, actor, false);
    const rows = await em.execute<ComplaintRow[]>('select * from household_complaint where case_id = ? order by filed_at, id', [caseId]);
    return rows.map((row) => complaintView(row, c.personal));
  }

  // ---- operation `import` --------------------------------------------------------------------

  /**
   * Replaces the case's list with the file's households, all or nothing: a file with any bad row
   * changes nothing and returns every error with its row and column. Rows with survey answers
   * (income and deprivations) are classified at once. The same file again changes nothing.
   */
  async importFile(caseId: string, actor: Actor, input: { format: HouseholdFileFormat; content: Buffer; fileName?: string }): Promise<ImportOutcome> {
    // Refuse early (scope, role, step) before reading a large file; checked again under the lock.
    const precheck = await this.loadCase(this.em.fork(), caseId, actor, false);
    assertHouseholdOperation(precheck, 'import', actor);
    const ruleSet = this.ruleSetIfDeclared(precheck);
    const { maxRows, maxExpandedBytes } = this.config.uploads.householdFile;
    const parsed = await parseHouseholdFile({ format: input.format, content: input.content, fileName: input.fileName, indicators: ruleSet?.indicators, limits: { maxRows, maxExpandedBytes } });
    if (!parsed.ok) return parsed.limit === undefined ? { ok: false, errors: parsed.errors } : { ok: false, errors: parsed.errors, limit: parsed.limit };
    const households = parsed.households;
    const classified = households.map((record) => this.classifyRecord(ruleSet, record));

    return this.change(caseId, actor, 'import', async (tx, c, now) => {
      const existing = await this.rows(tx, caseId);
      const before = existing.map((row) => comparable(householdRecord(row, true)));
      const after = households.map((record) => comparable(record));
      const sortByCode = (list: Record<string, unknown>[]) => [...list].sort((a, b) => compareCodes(String(a.householdCode), String(b.householdCode)));
      if (stableJson(sortByCode(before)) === stableJson(sortByCode(after))) {
        return { ok: true as const, imported: households.length, classified: classified.filter((x) => x !== null).length, replaced: existing.length, unchanged: true };
      }
      await tx.execute('delete from household where case_id = ?', [caseId], 'run');
      for (let start = 0; start < households.length; start += INSERT_CHUNK) {
        const chunk = households.slice(start, start + INSERT_CHUNK).map((record, i) => ({ record, classification: classified[start + i] }));
        await this.insertHouseholds(tx, caseId, chunk, actor, now);
      }
      const oldCodes = new Set(existing.map((row) => row.code.toUpperCase()));
      const newCodes = new Set(households.map((record) => record.householdCode.toUpperCase()));
      const added = households.map((record) => record.householdCode).filter((code) => !oldCodes.has(code.toUpperCase()));
      const removed = existing.map((row) => row.code).filter((code) => !newCodes.has(code.toUpperCase()));
      const classifiedCount = classified.filter((x) => x !== null).length;
      await this.history(tx, c, now, actor, 'import', {
        format: input.format,
        households: households.length,
        classified: classifiedCount,
        replaced: existing.length,
        added: added.slice(0, HISTORY_CODES),
        removed: removed.slice(0, HISTORY_CODES),
        ...(added.length > HISTORY_CODES || removed.length > HISTORY_CODES ? { codesTruncated: true } : {}),
        summary: `Nhập danh sách ${households.length} hộ (${classifiedCount} hộ đã phân loại), thay ${existing.length} hộ trước đó`,
      });
      return { ok: true as const, imported: households.length, classified: classifiedCount, replaced: existing.length, unchanged: false };
    });
  }

  // ---- operation `edit` ----------------------------------------------------------------------

  /** Adds one household; the same request again returns it unchanged, another household under its code is a conflict. */
  async add(caseId: string, actor: Actor, body: AddHouseholdBody): Promise<HouseholdChange> {
    const { code, ...rest } = body;
    const record: HouseholdRecord = { householdCode: code, ...rest };
    return this.change(caseId, actor, 'edit', async (tx, c, now) => {
      const existing = await this.findHousehold(tx, caseId, code);
      if (existing) {
        if (stableJson(comparable(householdRecord(existing, true))) === stableJson(comparable(record))) return { household: householdView(existing, c.personal), changed: false };
        throw new HouseholdConflictException('HOUSEHOLD_CODE_EXISTS', `Mã hộ "${existing.code}" đã có trong danh sách / household code "${existing.code}" is already on the list`, { code: existing.code });
      }
      const surveyed = record.incomePerCapitaMonthly !== undefined && record.deprivations !== undefined;
      const classification = surveyed ? this.classifyOrFail(c, record.householdCode, answersOf(record)) : null;
      await this.insertHouseholds(tx, caseId, [{ record, classification }], actor, now);
      await this.history(tx, c, now, actor, 'edit', {
        action: 'add',
        code,
        to: classification?.classification ?? null,
        summary: `Thêm hộ ${code}${classification ? ` (${classification.classification})` : ''}`,
      });
      return { household: householdView(await this.mustFind(tx, caseId, code), c.personal), changed: true };
    });
  }

  /** Changes identity and listing fields; a change of area re-classifies a surveyed household. */
  async edit(caseId: string, code: string, actor: Actor, body: EditHouseholdBody): Promise<HouseholdChange> {
    return this.change(caseId, actor, 'edit', async (tx, c, now) => {
      const row = await this.mustFind(tx, caseId, code);
      const current: Record<string, unknown> = {
        headName: row.head_name,
        idNumber: row.id_number,
        address: row.address,
        memberCount: row.member_count,
        area: row.area,
        source: row.source,
        note: row.note,
      };
      const next = { ...current };
      for (const [key, value] of Object.entries(body)) if (value !== undefined) next[key] = value;
      const fields = Object.keys(current).filter((key) => next[key] !== current[key]);
      if (fields.length === 0) return { household: householdView(row, c.personal), changed: false };

      let reclassified: StoredClassification | null = null;
      const income = incomeOf(row);
      if (fields.includes('area') && row.surveyed_at !== null && income !== null && row.deprivations !== null) {
        reclassified = this.classifyOrFail(c, row.code, { area: next.area as SurveyAnswers['area'], incomePerCapitaMonthly: income, deprivations: row.deprivations });
      }
      await tx.execute(
        `update household set head_name = ?, id_number = ?, address = ?, member_count = ?, area = ?, source = ?, note = ?, updated_at = ?
           ${reclassified ? ', classification = ?, explanation = ?::jsonb, rule_set = ?' : ''} where id = ?`,
        [
          next.headName,
          next.idNumber ?? null,
          next.address ?? null,
          next.memberCount,
          next.area,
          next.source,
          next.note ?? null,
          now,
          ...(reclassified ? [reclassified.classification, JSON.stringify(reclassified.explanation), reclassified.ruleSet] : []),
          row.id,
        ],
        'run',
      );
      await this.history(tx, c, now, actor, 'edit', {
        action: 'edit',
        code: row.code,
        fields,
        ...(reclassified ? { from: row.classification, to: reclassified.classification } : {}),
        summary: `Sửa hộ ${row.code}: ${fields.join(', ')}${reclassified ? ` — ${row.classification ?? 'chưa phân loại'} → ${reclassified.classification}` : ''}`,
      });
      return { household: householdView(await this.mustFind(tx, caseId, row.code), c.personal), changed: true };
    });
  }

  // ---- operation `survey` --------------------------------------------------------------------

  /** Records a household's survey answers and classifies it with the period's rules (idempotent PUT). */
  async survey(caseId: string, code: string, actor: Actor, body: SurveyBody): Promise<HouseholdChange> {
    return this.change(caseId, actor, 'survey', async (tx, c, now) => {
      const row = await this.mustFind(tx, caseId, code);
      const answers: SurveyAnswers = { area: body.area ?? row.area, incomePerCapitaMonthly: body.incomePerCapitaMonthly, deprivations: body.deprivations };
      if (row.surveyed_at !== null && sameAnswers(answers, { area: row.area, incomePerCapitaMonthly: incomeOf(row), deprivations: row.deprivations })) {
        return { household: householdView(row, c.personal), changed: false };
      }
      const result = this.classifyOrFail(c, row.code, answers);
      await this.writeSurvey(tx, row, answers, result, actor, now);
      await this.history(tx, c, now, actor, 'survey', {
        code: row.code,
        from: row.classification,
        to: result.classification,
        ruleSet: result.ruleSet,
        summary: `Rà soát hộ ${row.code}: ${row.classification ?? 'chưa phân loại'} → ${result.classification} (chuẩn ${result.ruleSet})`,
      });
      return { household: householdView(await this.mustFind(tx, caseId, row.code), c.personal), changed: true };
    });
  }

  // ---- operation `vote` ----------------------------------------------------------------------

  /**
   * Records the residents' meeting: per household, votes agreeing out of those present. Every bad
   * item is named (400) and nothing is written; a later meeting's votes overwrite earlier ones.
   */
  async vote(caseId: string, actor: Actor, body: VotesBody): Promise<{ recorded: number; changed: number; belowHalf: string[] }> {
    return this.change(caseId, actor, 'vote', async (tx, c, now) => {
      const rows = await this.rows(tx, caseId);
      const issues = voteIssues(body.votes, rows.map((row) => row.code));
      if (issues.length > 0) throw new HouseholdInvalidException(issues);
      const byCode = new Map(rows.map((row) => [row.code.toUpperCase(), row]));
      const votedAt = new Date(`${body.meetingDate}T00:00:00+07:00`);
      const changed: { code: string; agree: number; present: number }[] = [];
      for (const vote of body.votes) {
        const row = byCode.get(vote.code.trim().toUpperCase()) as HouseholdRow;
        const same = row.agree_votes === vote.agree && row.present_votes === vote.present && row.voted_at !== null && new Date(row.voted_at).getTime() === votedAt.getTime();
        if (same) continue;
        await tx.execute('update household set agree_votes = ?, present_votes = ?, voted_at = ?, updated_at = ? where id = ?', [vote.agree, vote.present, votedAt, now, row.id], 'run');
        changed.push({ code: row.code, agree: vote.agree, present: vote.present });
      }
      const belowHalf = body.votes.filter((vote) => vote.agree * 2 < vote.present).map((vote) => (byCode.get(vote.code.trim().toUpperCase()) as HouseholdRow).code);
      if (changed.length > 0) {
        await this.history(tx, c, now, actor, 'vote', {
          meetingDate: body.meetingDate,
          votes: changed,
          belowHalf,
          summary: `Họp dân ngày ${body.meetingDate}: ghi biểu quyết ${changed.length} hộ${belowHalf.length > 0 ? `; dưới 50% đồng ý: ${belowHalf.join(', ')}` : ''}`,
        });
      }
      return { recorded: body.votes.length, changed: changed.length, belowHalf };
    });
  }

  // ---- operation `complain` ------------------------------------------------------------------

  /** Opens a complaint against a household's result; the same open complaint again is returned, not duplicated. */
  async complain(caseId: string, code: string, actor: Actor, body: ComplaintBody): Promise<{ complaint: ComplaintView; created: boolean }> {
    return this.change(caseId, actor, 'complain', async (tx, c, now) => {
      const row = await this.mustFind(tx, caseId, code);
      const [same] = await tx.execute<ComplaintRow[]>(
        `select * from household_complaint where case_id = ? and lower(household_code) = lower(?) and status = 'open' and summary = ? order by filed_at limit 1`,
        [caseId, row.code, body.summary],
      );
      if (same) return { complaint: complaintView(same, c.personal), created: false };
      const id = randomUUID();
      await tx.execute(
        `insert into household_complaint (id, case_id, household_code, summary, filed_by, filed_at, status) values (?, ?, ?, ?, ?::jsonb, ?, 'open')`,
        [id, caseId, row.code, body.summary, JSON.stringify(actor), now],
        'run',
      );
      await this.history(tx, c, now, actor, 'complain', { complaintId: id, code: row.code, summary: `Tiếp nhận khiếu nại về hộ ${row.code}` });
      return { complaint: complaintView(await this.mustFindComplaint(tx, caseId, id), c.personal), created: true };
    });
  }

  // ---- operation `recheck` -------------------------------------------------------------------

  /**
   * Resolves a complaint with the re-check's outcome; with survey answers the household is
   * re-classified (the replaced classification is kept with the complaint). The same request
   * again returns the resolution; a different one for a resolved complaint is a conflict.
   */
  async recheck(caseId: string, complaintId: string, actor: Actor, body: RecheckBody): Promise<{ complaint: ComplaintView; household: HouseholdView; changed: boolean }> {
    return this.change(caseId, actor, 'recheck', async (tx, c, now) => {
      const complaint = await this.mustFindComplaint(tx, caseId, complaintId);
      const row = await this.mustFind(tx, caseId, complaint.household_code);
      const survey: SurveyAnswers | undefined = body.survey
        ? { area: body.survey.area ?? row.area, incomePerCapitaMonthly: body.survey.incomePerCapitaMonthly, deprivations: [...new Set(body.survey.deprivations)] }
        : undefined;
      if (complaint.status === 'resolved') {
        const previous = complaint.resolution;
        const same = previous !== null && previous.outcome === body.outcome && previous.note === body.note && stableJson(previous.survey ?? null) === stableJson(survey ?? null);
        if (same) return { complaint: complaintView(complaint, c.personal), household: householdView(row, c.personal), changed: false };
        throw new HouseholdConflictException('COMPLAINT_ALREADY_RESOLVED', `Khiếu nại "${complaintId}" đã có kết quả phúc tra khác / the complaint was already resolved otherwise`, { complaintId, outcome: previous?.outcome });
      }

      let result: StoredClassification | null = null;
      if (survey) {
        result = this.classifyOrFail(c, row.code, survey, 'survey.');
        await this.writeSurvey(tx, row, survey, result, actor, now);
      }
      const resolution: ComplaintResolution = {
        outcome: body.outcome,
        note: body.note,
        ...(survey && result
          ? { survey, from: row.classification, to: result.classification, previous: { classification: row.classification, explanation: row.explanation, ruleSet: row.rule_set } }
          : {}),
      };
      await tx.execute(`update household_complaint set status = 'resolved', resolution = ?::jsonb, resolved_by = ?::jsonb, resolved_at = ? where id = ?`, [JSON.stringify(resolution), JSON.stringify(actor), now, complaint.id], 'run');
      await this.history(tx, c, now, actor, 'recheck', {
        complaintId: complaint.id,
        code: row.code,
        outcome: body.outcome,
        ...(result ? { from: row.classification, to: result.classification, ruleSet: result.ruleSet } : {}),
        summary: `Phúc tra khiếu nại về hộ ${row.code}: ${body.outcome === 'upheld' ? 'có cơ sở' : 'không có cơ sở'}${result ? ` — ${row.classification ?? 'chưa phân loại'} → ${result.classification}` : ''}`,
      });
      return {
        complaint: complaintView(await this.mustFindComplaint(tx, caseId, complaint.id), c.personal),
        household: householdView(await this.mustFind(tx, caseId, row.code), c.personal),
        changed: true,
      };
    });
  }

  // ---- operation `certify` -------------------------------------------------------------------

  /** Records the certificate number of a poor or near-poor household (after recognition); numbers are unique within the case. */
  async certify(caseId: string, code: string, actor: Actor, body: CertificateBody): Promise<HouseholdChange> {
    return this.change(caseId, actor, 'certify', async (tx, c, now) => {
      const row = await this.mustFind(tx, caseId, code);
      if (row.classification === null || !CERTIFIABLE_CLASSES.includes(row.classification)) {
        throw new HouseholdConflictException(
          'HOUSEHOLD_NOT_CERTIFIABLE',
          `Hộ ${row.code} được phân loại "${row.classification ?? 'chưa phân loại'}": chỉ cấp giấy chứng nhận cho hộ nghèo, hộ cận nghèo / certificates are only for poor and near-poor households`,
          { code: row.code, classification: row.classification },
        );
      }
      if (row.certificate_number === body.number) return { household: householdView(row, c.personal), changed: false };
      const [other] = await tx.execute<{ code: string }[]>('select code from household where case_id = ? and certificate_number = ? and id <> ?', [caseId, body.number, row.id]);
      if (other) {
        throw new HouseholdConflictException('CERTIFICATE_NUMBER_USED', `Số giấy chứng nhận "${body.number}" đã cấp cho hộ ${other.code} / the certificate number is already used by household ${other.code}`, { code: other.code });
      }
      await tx.execute('update household set certificate_number = ?, updated_at = ? where id = ?', [body.number, now, row.id], 'run');
      await this.history(tx, c, now, actor, 'certify', {
        code: row.code,
        classification: row.classification,
        replaced: row.certificate_number !== null,
        summary: `Ghi giấy chứng nhận ${row.classification === 'poor' ? 'hộ nghèo' : 'hộ cận nghèo'} cho hộ ${row.code}`,
      });
      return { household: householdView(await this.mustFind(tx, caseId, row.code), c.personal), changed: true };
    });
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Loads the case under its row lock, checks scope, role and the step, and runs `work` in the same transaction. */
  private change<T>(caseId: string, actor: Actor, operation: HouseholdOperation, work: (tx: EntityManager, c: LoadedCase, now: Date) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(async (tx) => {
      const c = await this.loadCase(tx, caseId, actor, true);
      assertHouseholdOperation(c, operation, actor);
      return work(tx, c, this.clock.now());
    });
  }

  private async loadCase(em: EntityManager, caseId: string, actor: Actor, lock: boolean): Promise<LoadedCase> {
    // The case lock first (a drain reads the facts once under it), then the row: the order every case writer follows.
    if (lock) await lockCases(em, [caseId]);
    const [row] = await em.execute<CaseRow[]>(
      `select c.id, c.unit_path, c.village_code, c.commune_code, c.definition_key, c.snapshot, c.households_locked_at, k.province_code
       from review_case c join campaign k on k.id = c.campaign_id where c.id = ?${lock ? ' for update of c' : ''}`,
      [caseId],
    );
    if (!row) throw new CaseNotFoundException(caseId);
    assertInScope(actor, row.unit_path, `hồ sơ ${caseId}`);
    const compiled: CompiledDefinition = await this.registry.get(row.definition_key, em);
    const snapshot: CaseSnapshot = CaseSnapshotSchema.parse(row.snapshot);
    return { row, compiled, snapshot, lockedAt: row.households_locked_at, personal: seesPersonalData(actor, { villageCode: row.village_code, communeCode: row.commune_code }) };
  }

  private ruleSetIfDeclared(c: LoadedCase): RuleSet | undefined {
    const { period } = c.compiled.definition;
    return period === undefined ? undefined : this.ruleSets.forCase(period, c.row.province_code);
  }

  private classifyOrFail(c: LoadedCase, code: string, answers: SurveyAnswers, prefix = ''): StoredClassification {
    const ruleSet = this.ruleSets.forCase(c.compiled.definition.period, c.row.province_code);
    const result = classifyAnswers(ruleSet, code, answers, prefix);
    if (!result.ok) throw new HouseholdInvalidException(result.issues);
    return result.result;
  }

  /** An imported row with both survey fields is classified; codes were checked by the import against the same rule set. */
  private classifyRecord(ruleSet: RuleSet | undefined, record: HouseholdRecord): StoredClassification | null {
    if (record.incomePerCapitaMonthly === undefined || record.deprivations === undefined) return null;
    if (ruleSet === undefined) {
      throw new RuleSetUnavailableException('Quy trình của hồ sơ không khai báo kỳ chuẩn nghèo nên không phân loại được các hộ có thu nhập trong tệp / the definition declares no period: rows with survey answers cannot be classified');
    }
    const result = classifyAnswers(ruleSet, record.householdCode, answersOf(record));
    if (!result.ok) throw new HouseholdInvalidException(result.issues.map((issue) => ({ ...issue, field: `${record.householdCode}.${issue.field}` })));
    return result.result;
  }

  private async writeSurvey(tx: EntityManager, row: HouseholdRow, answers: SurveyAnswers, result: StoredClassification, actor: Actor, now: Date): Promise<void> {
    await tx.execute(
      `update household set area = ?, income_per_capita_monthly = ?, deprivations = ?::jsonb, surveyed_at = ?, surveyed_by = ?,
         classification = ?, explanation = ?::jsonb, rule_set = ?, updated_at = ? where id = ?`,
      [answers.area, answers.incomePerCapitaMonthly, JSON.stringify(result.deprivations), now, actor.sub, result.classification, JSON.stringify(result.explanation), result.ruleSet, now, row.id],
      'run',
    );
  }

  private async insertHouseholds(tx: EntityManager, caseId: string, items: { record: HouseholdRecord; classification: StoredClassification | null }[], actor: Actor, now: Date): Promise<void> {
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
        now,
        now,
      );
      return '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb, ?, ?, ?)';
    });
    await tx.execute(
      `insert into household (id, case_id, code, head_name, id_number, address, member_count, area, source, note,
         income_per_capita_monthly, deprivations, surveyed_at, surveyed_by, classification, explanation, rule_set, created_at, updated_at)
       values ${tuples.join(', ')}`,
      values,
      'run',
    );
  }

  /** The case's households with their complaint counts, in code order (H2 before H10). */
  private async rows(em: EntityManager, caseId: string): Promise<HouseholdRow[]> {
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

  private async findHousehold(em: EntityManager, caseId: string, code: string): Promise<HouseholdRow | undefined> {
    const [row] = await em.execute<HouseholdRow[]>(
      `select h.*,
         (select count(*) from household_complaint x where x.case_id = h.case_id and lower(x.household_code) = lower(h.code))::int as complaints_total,
         (select count(*) from household_complaint x where x.case_id = h.case_id and lower(x.household_code) = lower(h.code) and x.status = 'open')::int as complaints_open
       from household h where h.case_id = ? and lower(h.code) = lower(?)`,
      [caseId, code.trim()],
    );
    return row;
  }

  private async mustFind(em: EntityManager, caseId: string, code: string): Promise<HouseholdRow> {
    const row = await this.findHousehold(em, caseId, code);
    if (!row) throw new HouseholdNotFoundException(caseId, code);
    return row;
  }

  private async mustFindComplaint(em: EntityManager, caseId: string, id: string): Promise<ComplaintRow> {
    const [row] = await em.execute<ComplaintRow[]>('select * from household_complaint where case_id = ? and id = ?', [caseId, id]);
    if (!row) throw new ComplaintNotFoundException(caseId, id);
    return row;
  }

  /** A `household` history entry: household codes, classes and counts only, never personal data. */
  private async history(tx: EntityManager, c: LoadedCase, now: Date, actor: Actor, operation: HouseholdOperation, details: Record<string, unknown>): Promise<void> {
    const step = c.snapshot.step;
    await tx.execute(
      `insert into case_history (case_id, at, kind, event_type, actor, from_step, to_step, details) values (?, ?, 'household', ?, ?::jsonb, ?, ?, ?::jsonb)`,
      [c.row.id, now, `household.${operation}`, JSON.stringify(actor), step, step, JSON.stringify({ operation, ...details })],
      'run',
    );
  }
}

function answersOf(record: HouseholdRecord): SurveyAnswers {
  return { area: record.area, incomePerCapitaMonthly: record.incomePerCapitaMonthly as number, deprivations: record.deprivations as string[] };
}

/** A record without its undefined keys, for comparing a file with the stored list. */
function comparable(record: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
}

function complaintView(row: ComplaintRow, personal: boolean): ComplaintView {
  const who = (actor: Actor | null) => (actor ? { role: actor.role, unit: actor.unit } : null);
  const resolution = row.resolution;
  return {
    id: row.id,
    householdCode: row.household_code,
    summary: personal ? row.summary : null,
    status: row.status,
    filedAt: new Date(row.filed_at).toISOString(),
    filedBy: who(row.filed_by) as { role: string; unit: string },
    resolution: resolution
      ? { outcome: resolution.outcome, note: personal ? resolution.note : null, from: resolution.from ?? null, to: resolution.to ?? null, resurveyed: resolution.survey !== undefined }
      : null,
    resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at).toISOString(),
    resolvedBy: who(row.resolved_by),
  };
}
