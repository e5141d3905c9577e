import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@rasoat/config';
import type { Actor } from '@rasoat/contracts';
import {
  parseHouseholdFile,
  writeHouseholdFile,
  type HouseholdFileFormat,
  type HouseholdRecord,
  type ImportError,
  type UploadLimitExceeded,
} from '@rasoat/household-records';
import type { Area } from '@rasoat/poverty-rules';
import { stableJson, vi, type HouseholdFacts, type HouseholdOperation } from '@rasoat/workflow-core';
import { RuleSetUnavailableException, type CampaignRules } from '../standards';
import { openOperations } from './household-access';
import { HouseholdCaseService } from './household-case.service';
import { classifyAnswers, type StoredClassification, type SurveyAnswers } from './household-classification';
import type { AddHouseholdBody, EditHouseholdBody } from './household-requests';
import {
  compareCodes,
  householdRecord,
  householdView,
  incomeOf,
  type HouseholdChange,
  type HouseholdView,
} from './household-view';
import { HouseholdConflictException, HouseholdInvalidException } from './households.exception';
import { HouseholdsRepository, type HouseholdIdentity } from './households.repository';

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
  /** The area a household gets when nobody gives one: its commune's type's; null when the type gives none. */
  defaultArea: Area | null;
  households: HouseholdView[];
}

/** `limit`: the file went past an upload limit (the reading stopped there; `errors` holds that one problem). */
export type ImportOutcome =
  | { ok: false; errors: ImportError[]; limit?: UploadLimitExceeded }
  | { ok: true; imported: number; classified: number; replaced: number; unchanged: boolean };

const FILE_TYPES: Record<HouseholdFileFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** At most this many codes are listed in one history entry (an import may hold 10,000). */
const HISTORY_CODES = 200;

/**
 * The village's list of households: reading it (JSON or a household file), replacing it from a
 * file (operation `import`), adding and editing one household (operation `edit`). Survey answers
 * given with a household are classified at once.
 */
@Injectable()
export class HouseholdListService {
  constructor(
    private readonly households: HouseholdsRepository,
    private readonly cases: HouseholdCaseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(caseId: string, actor: Actor): Promise<HouseholdList> {
    return this.cases.read(caseId, actor, async (em, c) => {
      const [rows, facts] = await Promise.all([
        this.households.households(em, caseId),
        this.households.facts(em, caseId),
      ]);
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
        defaultArea: this.cases.defaultArea(c) ?? null,
        households: rows.map((row) => householdView(row, c.personal)),
      };
    });
  }

  /** The list as a household file (the import's columns), masked for readers who may not see personal data. */
  async exportFile(
    caseId: string,
    actor: Actor,
    format: HouseholdFileFormat,
  ): Promise<{ content: Buffer; contentType: string; fileName: string }> {
    return this.cases.read(caseId, actor, async (em, c) => {
      const rows = await this.households.households(em, caseId);
      const content = await writeHouseholdFile(
        rows.map((row) => householdRecord(row, c.personal)),
        format,
      );
      return { content, contentType: FILE_TYPES[format], fileName: `danh-sach-ho-${c.row.village_code}.${format}` };
    });
  }

  /**
   * Replaces the case's list with the file's households, all or nothing: a file with any bad row
   * changes nothing and returns every error with its row and column. Rows with survey answers
   * (income and deprivations) are classified at once. The same file again changes nothing.
   */
  async importFile(
    caseId: string,
    actor: Actor,
    input: { format: HouseholdFileFormat; content: Buffer; fileName?: string },
  ): Promise<ImportOutcome> {
    // Refuse early (scope, role, step) before reading a large file; checked again under the lock.
    const precheck = await this.cases.precheck(caseId, actor, 'import');
    const rules = this.cases.rulesIfAvailable(precheck);
    const { maxRows, maxExpandedBytes } = this.config.uploads.householdFile;
    const parsed = await parseHouseholdFile({
      format: input.format,
      content: input.content,
      fileName: input.fileName,
      indicators: rules?.national.indicators,
      defaultArea: this.cases.defaultArea(precheck),
      limits: { maxRows, maxExpandedBytes },
    });
    if (!parsed.ok)
      return parsed.limit === undefined
        ? { ok: false, errors: parsed.errors }
        : { ok: false, errors: parsed.errors, limit: parsed.limit };
    const households = parsed.households;
    const classified = households.map((record) => classifyRecord(rules, record));

    return this.cases.change(caseId, actor, 'import', async (tx, c, now) => {
      const existing = await this.households.households(tx, caseId);
      const before = existing.map((row) => comparable(householdRecord(row, true)));
      const after = households.map((record) => comparable(record));
      const sortByCode = (list: Record<string, unknown>[]) =>
        [...list].sort((a, b) => compareCodes(String(a.householdCode), String(b.householdCode)));
      if (stableJson(sortByCode(before)) === stableJson(sortByCode(after))) {
        return {
          ok: true as const,
          imported: households.length,
          classified: classified.filter((x) => x !== null).length,
          replaced: existing.length,
          unchanged: true,
        };
      }
      await this.households.replaceHouseholds(
        tx,
        caseId,
        households.map((record, i) => ({ record, classification: classified[i] })),
        actor,
        now,
      );
      const oldCodes = new Set(existing.map((row) => row.code.toUpperCase()));
      const newCodes = new Set(households.map((record) => record.householdCode.toUpperCase()));
      const added = households
        .map((record) => record.householdCode)
        .filter((code) => !oldCodes.has(code.toUpperCase()));
      const removed = existing.map((row) => row.code).filter((code) => !newCodes.has(code.toUpperCase()));
      const classifiedCount = classified.filter((x) => x !== null).length;
      await this.cases.history(tx, c, now, actor, 'import', {
        format: input.format,
        households: households.length,
        classified: classifiedCount,
        replaced: existing.length,
        added: added.slice(0, HISTORY_CODES),
        removed: removed.slice(0, HISTORY_CODES),
        ...(added.length > HISTORY_CODES || removed.length > HISTORY_CODES ? { codesTruncated: true } : {}),
        summary: `Nhập danh sách ${households.length} hộ (${classifiedCount} hộ đã phân loại), thay ${existing.length} hộ trước đó`,
      });
      return {
        ok: true as const,
        imported: households.length,
        classified: classifiedCount,
        replaced: existing.length,
        unchanged: false,
      };
    });
  }

  /**
   * Adds one household; the same request again returns it unchanged, another household under its
   * code is a conflict. Without an area it gets its commune's (400 naming `area` when the commune's
   * type gives none).
   */
  async add(caseId: string, actor: Actor, body: AddHouseholdBody): Promise<HouseholdChange> {
    const { code, area, ...rest } = body;
    return this.cases.change(caseId, actor, 'edit', async (tx, c, now) => {
      const householdArea = area ?? this.cases.defaultArea(c);
      if (householdArea === undefined)
        throw new HouseholdInvalidException([
          {
            field: 'area',
            message: `bắt buộc: loại đơn vị của xã (${c.row.commune_type ?? 'chưa rõ'}) không cho khu vực mặc định / required: the commune's type (${c.row.commune_type ?? 'unknown'}) gives no default area`,
          },
        ]);
      const record: HouseholdRecord = { householdCode: code, ...rest, area: householdArea };
      const existing = await this.households.findHousehold(tx, caseId, code);
      if (existing) {
        if (stableJson(comparable(householdRecord(existing, true))) === stableJson(comparable(record)))
          return { household: householdView(existing, c.personal), changed: false };
        throw new HouseholdConflictException(
          'HOUSEHOLD_CODE_EXISTS',
          `Mã hộ "${existing.code}" đã có trong danh sách / household code "${existing.code}" is already on the list`,
          { code: existing.code },
        );
      }
      const surveyed = record.incomePerCapitaMonthly !== undefined && record.deprivations !== undefined;
      const classification = surveyed
        ? this.cases.classify(c, record.householdCode, answersOf(record), '', record.memberCount)
        : null;
      await this.households.insertHouseholds(tx, caseId, [{ record, classification }], actor, now);
      await this.cases.history(tx, c, now, actor, 'edit', {
        action: 'add',
        code,
        to: classification?.classification ?? null,
        summary: `Thêm hộ ${code}${classification ? ` (${classification.classification})` : ''}`,
      });
      return { household: householdView(await this.cases.household(tx, caseId, code), c.personal), changed: true };
    });
  }

  /** Changes identity and listing fields; a change of area re-classifies a surveyed household. */
  async edit(caseId: string, code: string, actor: Actor, body: EditHouseholdBody): Promise<HouseholdChange> {
    return this.cases.change(caseId, actor, 'edit', async (tx, c, now) => {
      const row = await this.cases.household(tx, caseId, code);
      const current: HouseholdIdentity = {
        headName: row.head_name,
        idNumber: row.id_number,
        address: row.address,
        memberCount: row.member_count,
        area: row.area,
        source: row.source,
        note: row.note,
      };
      const given = Object.fromEntries(
        Object.entries(body).filter(([, value]) => value !== undefined),
      ) as Partial<HouseholdIdentity>;
      const next: HouseholdIdentity = { ...current, ...given };
      const fields = (Object.keys(current) as (keyof HouseholdIdentity)[]).filter((key) => next[key] !== current[key]);
      if (fields.length === 0) return { household: householdView(row, c.personal), changed: false };

      let reclassified: StoredClassification | null = null;
      const income = incomeOf(row);
      if (fields.includes('area') && row.surveyed_at !== null && income !== null && row.deprivations !== null) {
        reclassified = this.cases.classify(c, row.code, {
          area: next.area,
          incomePerCapitaMonthly: income,
          deprivations: row.deprivations,
          lowIncomeWorkers: row.low_income_workers,
        });
      }
      await this.households.updateIdentity(tx, row.id, next, reclassified, now);
      await this.cases.history(tx, c, now, actor, 'edit', {
        action: 'edit',
        code: row.code,
        fields,
        ...(reclassified ? { from: row.classification, to: reclassified.classification } : {}),
        summary: `Sửa hộ ${row.code}: ${fields.join(', ')}${reclassified ? ` — ${row.classification ?? 'chưa phân loại'} → ${reclassified.classification}` : ''}`,
      });
      return { household: householdView(await this.cases.household(tx, caseId, row.code), c.personal), changed: true };
    });
  }
}

/**
 * An imported row with both survey fields is classified (nationally, and by the province's own
 * lines beside it); codes were checked by the import against the same national rule set.
 */
function classifyRecord(rules: CampaignRules | undefined, record: HouseholdRecord): StoredClassification | null {
  if (record.incomePerCapitaMonthly === undefined || record.deprivations === undefined) return null;
  if (rules === undefined) {
    throw new RuleSetUnavailableException(
      'Đợt rà soát chưa ghi chuẩn nghèo áp dụng nên không phân loại được các hộ có thu nhập trong tệp / the campaign has recorded no poverty standard: rows with survey answers cannot be classified',
    );
  }
  const result = classifyAnswers(rules, record.householdCode, answersOf(record));
  if (!result.ok)
    throw new HouseholdInvalidException(
      result.issues.map((issue) => ({ ...issue, field: `${record.householdCode}.${issue.field}` })),
    );
  return result.result;
}

function answersOf(record: HouseholdRecord): SurveyAnswers {
  return {
    area: record.area,
    incomePerCapitaMonthly: record.incomePerCapitaMonthly as number,
    deprivations: record.deprivations as string[],
  };
}

/** A record without its undefined keys, for comparing a file with the stored list. */
function comparable(record: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
}
