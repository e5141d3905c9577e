import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@rasoat/contracts';
import type { UploadLimitExceeded } from '@rasoat/household-records';
import { AuthErrorCode, AuthException, assertInScope, inScope, isNational } from '../auth';
import { CLOCK, type Clock } from '../infrastructure';
import { UnitDirectory } from './unit-directory';
import { parseUnitFile, type UnitFileError, type UnitFileFormat } from './unit-file';
import { planUnitImport } from './unit-import-plan';
import { UnitRepository, type UnitChangeRow } from './unit.repository';
import { UnitNotFoundException } from './units.exception';

export interface UnitImportInput {
  format: UnitFileFormat;
  content: Buffer | string;
  /** Recorded with each change (the CLI's file name, the API's `fileName`). */
  fileName?: string;
}

export interface UnitImportOptions {
  /** The admin API takes villages only; the CLI (an operator) any level. */
  villagesOnly: boolean;
  maxRows: number;
}

/**
 * An import's answer. Refused: every error with its row and column, nothing written; `limit`
 * when the file went past a reading limit, `outOfScope` when some row is outside the actor's
 * province. Done: what changed, and the import's id (null when nothing changed: the same file
 * again writes nothing, history included).
 */
export type UnitImportOutcome =
  | { ok: false; errors: UnitFileError[]; limit?: UploadLimitExceeded; outOfScope?: boolean }
  | {
      ok: true;
      importId: string | null;
      fileSha256: string;
      created: number;
      renamed: number;
      merged: number;
      unchanged: number;
    };

/** Roles that may change the tree: province admins inside their province, national admins (and the engine) anywhere. */
const IMPORTERS = new Set(['province_admin', 'national_admin', 'system']);

/**
 * A province's villages from a file (CLI `units import`, `POST /api/admin/units/import`): all or
 * nothing; new units are created, renames and merges recorded with history (`unit_change`), and
 * the same file again changes nothing. One import at a time (an advisory lock in the
 * transaction): the checks against the tree and the writes see the same tree.
 *
 * A merged village is retired, never deleted, and points to the village it merged into. Its
 * cases: a merge is refused while the village has a case still running (status active) — the
 * province finishes that case, or merges after the season; its finished cases stay with it, and
 * a campaign started later opens no case for it.
 */
@Injectable()
export class UnitImportService {
  constructor(
    private readonly units: UnitRepository,
    private readonly directory: UnitDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async importFile(input: UnitImportInput, actor: Actor, options: UnitImportOptions): Promise<UnitImportOutcome> {
    if (!IMPORTERS.has(actor.role))
      throw new AuthException(
        'forbidden',
        AuthErrorCode.RoleNotAllowed,
        `Vai trò ${actor.role} không được nhập đơn vị hành chính / role ${actor.role} may not import units`,
      );
    const parsed = await parseUnitFile(input.content, input.format, { maxRows: options.maxRows });
    if (!parsed.ok && parsed.limit) return { ok: false, errors: parsed.errors, limit: parsed.limit };
    if (!parsed.ok && !parsed.partial) return { ok: false, errors: parsed.errors };
    const fileSha256 = createHash('sha256').update(input.content).digest('hex');
    // With bad rows, the others are still checked against the tree: every problem is reported at once.
    const { rows, columns } = parsed.ok ? parsed : (parsed.partial as NonNullable<typeof parsed.partial>);
    const fileErrors = parsed.ok ? [] : parsed.errors;

    const outcome = await this.units.transaction(async (tx) => {
      const codes = new Set<string>();
      for (const r of rows) {
        codes.add(r.code);
        if (r.parentCode) codes.add(r.parentCode);
        if (r.mergedInto) codes.add(r.mergedInto);
      }
      const existing = new Map((await tx.existing([...codes])).map((u) => [u.code, u]));
      const runningCases = await tx.runningCases(rows.filter((r) => r.mergedInto !== null).map((r) => r.code));
      const planned = planUnitImport(rows, columns, existing, {
        villagesOnly: options.villagesOnly,
        inScope: (path) => inScope(actor, path),
        runningCases,
      });
      if (!planned.ok || fileErrors.length > 0) {
        const errors = [...fileErrors, ...(planned.ok ? [] : planned.errors)].sort((a, b) => a.row - b.row);
        return { ok: false as const, errors, outOfScope: !planned.ok && planned.outOfScope };
      }
      const { plan } = planned;
      const changed = plan.create.length + plan.rename.length + plan.merge.length;
      const counts = {
        created: plan.create.length,
        renamed: plan.rename.length,
        merged: plan.merge.length,
        unchanged: plan.unchanged,
      };
      if (changed === 0) return { ok: true as const, importId: null, fileSha256, ...counts };
      const now = this.clock.now();
      const importId = randomUUID();
      await tx.insert(plan.create, 'import');
      await tx.rename(plan.rename);
      await tx.retire(plan.merge, now);
      await tx.recordChanges({ importId, at: now, actor, fileName: input.fileName ?? null, fileSha256 }, [
        ...plan.create.map((u) => ({
          unitCode: u.code,
          provinceCode: u.provinceCode,
          kind: 'created' as const,
          before: null,
          after: { name: u.name, unitType: u.unitType ?? null, parentCode: u.parentCode },
          mergedInto: null,
        })),
        ...plan.rename.map((r) => ({
          unitCode: r.code,
          provinceCode: r.provinceCode,
          kind: 'renamed' as const,
          before: r.before,
          after: r.after,
          mergedInto: null,
        })),
        ...plan.merge.map((m) => ({
          unitCode: m.code,
          provinceCode: m.provinceCode,
          kind: 'merged' as const,
          before: m.before,
          after: null,
          mergedInto: m.mergedInto,
        })),
      ]);
      return { ok: true as const, importId, fileSha256, ...counts };
    });
    // Names cached by this process's directory (notices, escalations) are read again.
    if (outcome.ok && outcome.importId !== null) this.directory.forget();
    return outcome;
  }

  /**
   * The import history, newest first: of one unit (its own changes and the merges into it), else
   * of a province (a province admin's own when none is named; a national admin's: every one).
   */
  async changes(
    actor: Actor,
    filter: { unit?: string; province?: string; before?: string; limit: number },
  ): Promise<{ changes: UnitChangeRow[]; nextBefore: string | null }> {
    let provinceCode = filter.province;
    if (filter.unit !== undefined) {
      const unit = await this.units.findByCode(filter.unit);
      if (!unit) throw new UnitNotFoundException(filter.unit);
      assertInScope(actor, unit.path, `đơn vị ${filter.unit}`);
    } else if (provinceCode !== undefined) {
      assertInScope(actor, `/${provinceCode}/`, `tỉnh ${provinceCode}`);
    } else if (!isNational(actor)) {
      provinceCode = actor.unit;
    }
    const changes = await this.units.changes({
      unitCode: filter.unit,
      provinceCode,
      before: filter.before,
      limit: filter.limit,
    });
    return {
      changes,
      nextBefore: changes.length === filter.limit ? (changes[changes.length - 1]?.id ?? null) : null,
    };
  }
}
