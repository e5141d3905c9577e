import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@rasoat/contracts';
import { contentHash, definitionKey } from '@rasoat/definition-catalog';
import type { DefinitionVersion } from '@rasoat/persistence';
import {
  diffDefinitions,
  effectivePeriodPosition,
  loadDefinitionDocument,
  mermaidDiagram,
  SourceMap,
  unifiedDiff,
  validateDefinition,
  type Definition,
  type DefinitionDiff,
  type DefinitionError,
  type LocatedDefinition,
} from '@rasoat/workflow-core';
import { AuthErrorCode, AuthException, isNational, NATION } from '../auth';
import { CLOCK, type Clock } from '../infrastructure';
import { DefinitionRegistry } from './definition-registry.service';
import { DefinitionRepository } from './definition.repository';
import {
  DefinitionConflictException,
  DefinitionInvalidException,
  DefinitionNotFoundException,
} from './definitions.exception';

export interface ValidationReport {
  valid: boolean;
  key: string | null;
  errors: DefinitionError[];
  /** Mermaid diagram of the merged definition when valid. */
  diagram: string | null;
  definition: Definition | null;
}

export interface VersionSummary {
  key: string;
  definitionId: string;
  version: number;
  provinceCode: string | null;
  extends: string | null;
  title: string;
  contentHash: string;
  effectiveFrom: string | null;
  effectiveTo: string | null;
  publishedAt: string;
  publishedBy: string;
  status: 'published' | 'retired';
  retiredAt: string | null;
  retireReason: string | null;
}

const title = (d: Record<string, unknown>) => {
  const t = d.title as string | { vi: string } | undefined;
  return typeof t === 'string' ? t : (t?.vi ?? '');
};

/**
 * The province admin's desk: validate, diff, publish and roll back definitions without a
 * developer. Published versions are immutable; a roll-back retires the newest version (running
 * cases keep it, new campaigns take the one before). Every change is audited with its diff.
 */
@Injectable()
export class DefinitionAdminService {
  constructor(
    private readonly definitions: DefinitionRepository,
    private readonly registry: DefinitionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Versions the actor may see: national ones and their own province's (a national admin sees all). */
  async list(actor: Actor, province?: string): Promise<VersionSummary[]> {
    const scope = await this.provinceOf(actor);
    if (province && scope !== NATION && province !== scope) this.forbid(`tỉnh ${province}`);
    const rows = await this.definitions.list();
    return rows
      .filter((r) =>
        province
          ? r.provinceCode === province || !r.provinceCode
          : scope === NATION || !r.provinceCode || r.provinceCode === scope,
      )
      .map(summary);
  }

  async show(
    key: string,
    actor: Actor,
  ): Promise<VersionSummary & { sourceText: string | null; definition: Record<string, unknown>; diagram: string }> {
    const row = await this.row(key);
    await this.assertCanRead(actor, row.provinceCode ?? null);
    const compiled = await this.registry.get(key);
    return {
      ...summary(row),
      sourceText: row.sourceText ?? null,
      definition: row.body,
      diagram: mermaidDiagram(compiled.definition),
    };
  }

  /** Validates YAML (a complete definition or an overlay of a published one); changes nothing. */
  async validate(yaml: string, actor: Actor, fileName = 'definition.yaml'): Promise<ValidationReport> {
    const located = await this.load(yaml, fileName);
    if (!located.ok) return { valid: false, key: null, errors: located.errors, diagram: null, definition: null };
    this.assertCanEdit(actor, located.value.province ?? null);
    const errors = validateDefinition(located.value, located.source);
    return {
      valid: errors.length === 0,
      key: definitionKey(located.value),
      errors,
      diagram: errors.length === 0 ? mermaidDiagram(located.value) : null,
      definition: located.value,
    };
  }

  /** Compares YAML under review (or a published version) with a published version. */
  async diff(
    actor: Actor,
    against: string,
    candidate: { yaml?: string; key?: string },
  ): Promise<{ from: string; to: string; changes: DefinitionDiff; text: string }> {
    const base = await this.row(against);
    await this.assertCanRead(actor, base.provinceCode ?? null);
    let to: { label: string; definition: Definition; text: string };
    if (candidate.key) {
      const row = await this.row(candidate.key);
      await this.assertCanRead(actor, row.provinceCode ?? null);
      to = {
        label: candidate.key,
        definition: (await this.registry.get(candidate.key)).definition,
        text: row.sourceText ?? JSON.stringify(row.body, null, 2),
      };
    } else {
      const report = await this.validate(candidate.yaml ?? '', actor);
      if (!report.definition) throw new DefinitionInvalidException(report.errors);
      to = { label: report.key ?? 'candidate', definition: report.definition, text: candidate.yaml ?? '' };
    }
    const from = (await this.registry.get(against)).definition;
    return {
      from: against,
      to: to.label,
      changes: diffDefinitions(from, to.definition),
      text: unifiedDiff(base.sourceText ?? JSON.stringify(base.body, null, 2), to.text, against, to.label),
    };
  }

  /**
   * Publishes a new immutable version. Its number must be the next one of its id; a province
   * definition can be published only by that province's admin (or a national admin).
   */
  async publish(yaml: string, actor: Actor, fileName = 'definition.yaml'): Promise<VersionSummary> {
    const report = await this.validate(yaml, actor, fileName);
    if (!report.valid || !report.definition) throw new DefinitionInvalidException(report.errors);
    const definition = report.definition;
    const key = definitionKey(definition);
    const now = this.clock.now();
    return this.definitions.withDefinitionLock(definition.id, async (tx) => {
      const existing = await tx.versions(definition.id);
      const latest = existing[0];
      if (latest && (latest.provinceCode ?? null) !== (definition.province ?? null)) {
        throw new DefinitionConflictException(
          `"${definition.id}" thuộc ${latest.provinceCode ? `tỉnh ${latest.provinceCode}` : 'cấp quốc gia'} / "${definition.id}" belongs to ${latest.provinceCode ?? 'the nation'}; choose another id`,
          { definitionId: definition.id },
        );
      }
      const expected = (latest?.version ?? 0) + 1;
      if (definition.version !== expected) {
        throw new DefinitionConflictException(
          `Phiên bản phải là ${expected} / version must be ${expected}: published versions are immutable and numbered in order`,
          { definitionId: definition.id, expectedVersion: expected },
        );
      }
      const row = tx.add({
        key,
        definitionId: definition.id,
        version: definition.version,
        contentHash: contentHash(definition),
        body: definition as unknown as Record<string, unknown>,
        sourceFile: fileName,
        sourceText: yaml,
        provinceCode: definition.province ?? null,
        effectiveFrom: definition.effectiveFrom ?? null,
        effectiveTo: definition.effectiveTo ?? null,
        publishedAt: now,
        publishedBy: actor.sub,
      });
      const previousText = latest ? (latest.sourceText ?? JSON.stringify(latest.body, null, 2)) : '';
      tx.audit({
        at: now,
        action: 'publish',
        definitionId: definition.id,
        version: definition.version,
        provinceCode: definition.province ?? null,
        actor: { ...actor },
        diff: unifiedDiff(previousText, yaml, latest?.key ?? '/dev/null', key),
        details: {
          key,
          contentHash: row.contentHash,
          changes: latest ? diffDefinitions(latest.body as unknown as Definition, definition) : null,
        },
      });
      return summary(row);
    });
  }

  /** Retires the newest published version of an id, so that new campaigns use the one before it. */
  async rollback(
    definitionId: string,
    actor: Actor,
    reason: string,
  ): Promise<{ retired: VersionSummary; current: VersionSummary }> {
    const now = this.clock.now();
    return this.definitions.withDefinitionLock(definitionId, async (tx) => {
      const live = await tx.liveVersions(definitionId);
      if (live.length === 0) throw new DefinitionNotFoundException(definitionId);
      this.assertCanEdit(actor, live[0].provinceCode ?? null);
      if (live.length < 2)
        throw new DefinitionConflictException(
          `Không có phiên bản trước để quay lại / ${live[0].key} is the only live version: there is nothing to roll back to`,
          { definitionId },
        );
      const [newest, previous] = live;
      tx.retire(newest, now, actor.sub, reason);
      tx.audit({
        at: now,
        action: 'rollback',
        definitionId,
        version: newest.version,
        provinceCode: newest.provinceCode ?? null,
        actor: { ...actor },
        diff: unifiedDiff(newest.sourceText ?? '', previous.sourceText ?? '', newest.key, previous.key),
        details: { retired: newest.key, current: previous.key, reason },
      });
      return { retired: summary(newest), current: summary(previous) };
    });
  }

  async audit(
    actor: Actor,
    province?: string,
  ): Promise<
    {
      id: string;
      at: string;
      action: string;
      definitionId: string;
      version: number;
      provinceCode: string | null;
      actor: Record<string, unknown>;
      diff: string;
      details: Record<string, unknown>;
    }[]
  > {
    const scope = await this.provinceOf(actor);
    if (province && scope !== NATION && province !== scope) this.forbid(`tỉnh ${province}`);
    const rows = await this.definitions.audits(scope === NATION ? province : scope);
    return rows.map((r) => ({ ...r, id: String(r.id), at: r.at.toISOString(), provinceCode: r.provinceCode ?? null }));
  }

  /** The newest live (not retired) version of an id whose effective period contains `date`. */
  async current(definitionId: string, date: string): Promise<string> {
    const rows = await this.definitions.liveVersions(definitionId);
    const row = rows.find((r) => effectivePeriodPosition(r, date) === 'in');
    if (!row) throw new DefinitionNotFoundException(`${definitionId} (hiệu lực ${date})`);
    return row.key;
  }

  /** Reads YAML, resolving an overlay's chain through the published versions (with their own positions). */
  private async load(yaml: string, fileName: string) {
    const byKey = await this.definitions.byKey();
    const cache = new Map<string, LocatedDefinition | { errors: DefinitionError[] } | undefined>();
    const resolve = (key: string, seen: Set<string>): LocatedDefinition | { errors: DefinitionError[] } | undefined => {
      if (cache.has(key)) return cache.get(key);
      const row = byKey.get(key);
      if (!row || seen.has(key)) return undefined;
      let result: LocatedDefinition | { errors: DefinitionError[] };
      if (row.sourceText) {
        const loaded = loadDefinitionDocument(row.sourceText, `${key} (${row.sourceFile})`, (k) =>
          resolve(k, new Set([...seen, key])),
        );
        result = loaded.ok ? { definition: loaded.value, source: loaded.source } : { errors: loaded.errors };
      } else {
        result = {
          definition: row.body as unknown as Definition,
          source: new SourceMap(`${key} (${row.sourceFile})`, null, null),
        };
      }
      cache.set(key, result);
      return result;
    };
    return loadDefinitionDocument(yaml, fileName, (key) => resolve(key, new Set()));
  }

  private async row(key: string): Promise<DefinitionVersion> {
    const row = await this.definitions.findByKey(key);
    if (!row) throw new DefinitionNotFoundException(key);
    return row;
  }

  /** The province an actor's unit belongs to (`VN` for national roles). */
  private async provinceOf(actor: Actor): Promise<string> {
    if (isNational(actor)) return NATION;
    const province = await this.definitions.provinceOfUnit(actor.unit);
    // A unit that does not exist (VN for a role of another level included) is no scope at all, never the nation's.
    if (!province) this.forbid(`đơn vị ${actor.unit}`);
    return province;
  }

  private async assertCanRead(actor: Actor, province: string | null): Promise<void> {
    const scope = await this.provinceOf(actor);
    if (province && scope !== NATION && scope !== province) this.forbid(`quy trình của tỉnh ${province}`);
  }

  private assertCanEdit(actor: Actor, province: string | null): void {
    if (actor.role === 'national_admin' && actor.unit === NATION) return;
    if (actor.role !== 'province_admin')
      throw new AuthException(
        'forbidden',
        AuthErrorCode.RoleNotAllowed,
        `Chỉ quản trị tỉnh được sửa quy trình / only a province admin edits definitions`,
      );
    if (!province) this.forbid('quy trình cấp quốc gia (national definitions are edited by a national admin)');
    if (province !== actor.unit) this.forbid(`quy trình của tỉnh ${province}`);
  }

  private forbid(what: string): never {
    throw new AuthException('forbidden', AuthErrorCode.OutOfScope, `Không có quyền với ${what} / outside your scope`);
  }
}

function summary(r: DefinitionVersion): VersionSummary {
  const body = r.body;
  return {
    key: r.key,
    definitionId: r.definitionId,
    version: r.version,
    provinceCode: r.provinceCode ?? null,
    extends: typeof body.extends === 'string' ? body.extends : null,
    title: title(body),
    contentHash: r.contentHash,
    effectiveFrom: r.effectiveFrom ?? null,
    effectiveTo: r.effectiveTo ?? null,
    publishedAt: r.publishedAt.toISOString(),
    publishedBy: r.publishedBy,
    status: r.retiredAt ? 'retired' : 'published',
    retiredAt: r.retiredAt ? r.retiredAt.toISOString() : null,
    retireReason: r.retireReason ?? null,
  };
}
