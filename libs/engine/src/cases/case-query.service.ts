import { Injectable } from '@nestjs/common';
import { IsolationLevel } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { HISTORY_PAGE_SIZE, type Actor } from '@rasoat/contracts';
import { allowedEvents, CaseSnapshotSchema, stageOf, stepIndex, vi, type LocalizedText } from '@rasoat/workflow-core';
import { assertInScope, seesPersonalData } from '../auth';
import { DefinitionRegistry } from '../definitions';
import { CaseHistoryRepository, type HistoryRow } from './case-history.repository';
import { CaseViewRepository } from './case-view.repository';
import { CaseNotFoundException } from './cases.exception';
import { caseViewMask } from './case-view-privacy';

export interface DeadlineView {
  id: string;
  step: string;
  dueDate: string;
  dueAt: string;
  status: string;
  armedAt: string;
  closedAt: string | null;
}

export interface HistoryView {
  id: string;
  at: string;
  kind: string;
  seq: number | null;
  eventType: string | null;
  /** `onBehalfOf`: the role in whose stead `role` entered the event (the definition's `proxies`). */
  actor: { sub: string; role: string; unit: string; onBehalfOf?: string };
  fromStep: string | null;
  toStep: string | null;
  details: Record<string, unknown>;
  summary: string;
}

const label = (t: LocalizedText) => (typeof t === 'string' ? { vi: t } : t);

/** Refused events the case view lists (the latest); the rest are counted. */
const RECENT_REFUSALS = 5;

/**
 * Read side of a case: its step, data, allowed events, deadlines, the newest page of its history
 * and its refused events counted; older history a page at a time (`history`).
 */
@Injectable()
export class CaseQueryService {
  constructor(
    private readonly em: EntityManager,
    private readonly registry: DefinitionRegistry,
    private readonly views: CaseViewRepository,
    private readonly histories: CaseHistoryRepository,
  ) {}

  async get(caseId: string, actor: Actor) {
    // One snapshot for all the view's reads: a drain committing between two of them would show
    // the step before it beside the history and pending events after it. Every read goes through
    // the transaction's connection, one after the other (none waits for a second pool connection).
    return this.em.fork().transactional((em) => this.read(em, caseId, actor), {
      isolationLevel: IsolationLevel.REPEATABLE_READ,
      readOnly: true,
    });
  }

  private async read(em: EntityManager, caseId: string, actor: Actor) {
    const row = await this.views.findCase(em, caseId);
    if (!row) throw new CaseNotFoundException(caseId);
    assertInScope(actor, row.unit_path, `hồ sơ ${caseId}`);
    const compiled = await this.registry.get(row.definition_key, em);
    const { definition } = compiled;
    const snapshot = CaseSnapshotSchema.parse(row.snapshot);
    const step = definition.steps[snapshot.step];
    const steps = stepIndex(definition);
    // Personal free text (fields marked `personal`) only for the village's and its commune's officials.
    const mask = caseViewMask(
      definition,
      seesPersonalData(actor, { villageCode: row.village_code, communeCode: row.commune_code }),
    );
    const deadlines = await this.views.deadlines(em, caseId);
    const history = await this.histories.page(em, caseId, { limit: HISTORY_PAGE_SIZE });
    const refusals = await this.histories.refusals(em, caseId, RECENT_REFUSALS);
    const pending = await this.views.pendingEvents(em, caseId);
    return {
      id: row.id,
      campaign: {
        id: row.campaign_id,
        provinceCode: row.province_code,
        year: row.year,
        window: { start: row.window_start, end: row.window_end },
      },
      village: { code: row.village_code, name: row.village_name, communeCode: row.commune_code },
      definition: { key: row.definition_key, title: label(definition.title) },
      status: snapshot.status,
      step: {
        id: snapshot.step,
        label: label(step.label),
        stage: stageOf(compiled, snapshot.step),
        role: step.role ?? null,
        produces: step.produces ? label(step.produces) : null,
        source: step.source ?? null,
      },
      regions: Object.entries(snapshot.regions ?? {}).map(([region, id]) => {
        const inner = steps.get(id)?.step;
        return { region, step: id, label: inner ? label(inner.label) : id, role: inner?.role ?? null };
      }),
      data: mask.data(snapshot.context.data),
      counters: snapshot.context.counters,
      milestones: snapshot.context.milestones,
      allowedEvents: allowedEvents(compiled, snapshot).map((type) => ({
        type,
        label: label(definition.events[type].label),
        roles: definition.events[type].roles,
        proxies: definition.events[type].proxies ?? [],
        fields: definition.events[type].fields,
      })),
      deadlines: deadlines.map((d): DeadlineView => ({
        ...d,
        dueAt: iso(d.dueAt),
        armedAt: iso(d.armedAt),
        closedAt: d.closedAt ? iso(d.closedAt) : null,
      })),
      pendingEvents: pending,
      history: history.entries.map(mask.history).map((h) => historyView(h, steps)),
      historyTotal: history.total,
      historyNextBefore: history.nextBefore,
      refusedEvents: refusals,
    };
  }

  /** A page of the case's history older than `before` (the `nextBefore` of the page before), newest first. */
  async history(caseId: string, actor: Actor, q: { before?: string; limit: number }) {
    const em = this.em.fork();
    const row = await this.views.findScope(em, caseId);
    if (!row) throw new CaseNotFoundException(caseId);
    assertInScope(actor, row.unit_path, `hồ sơ ${caseId}`);
    const { definition } = await this.registry.get(row.definition_key);
    const steps = stepIndex(definition);
    const mask = caseViewMask(
      definition,
      seesPersonalData(actor, { villageCode: row.village_code, communeCode: row.commune_code }),
    );
    const page = await this.histories.page(em, caseId, q);
    return {
      caseId,
      items: page.entries.map(mask.history).map((h) => historyView(h, steps)),
      total: page.total,
      nextBefore: page.nextBefore,
    };
  }

  /** Cases of a campaign under a unit (scoped), for lists and drill-down. */
  async list(
    actor: Actor,
    filter: { campaignId: string; unitPath: string; step?: string; limit: number; offset: number },
  ) {
    assertInScope(actor, filter.unitPath, 'đơn vị');
    return this.views.list(this.em.fork(), filter);
  }
}

/** Raw SQL returns timestamptz as PostgreSQL text; the API speaks ISO 8601. */
function iso(value: Date | string): string {
  return new Date(value).toISOString();
}

function historyView(row: HistoryRow, steps: ReturnType<typeof stepIndex>): HistoryView {
  const h = { ...row, at: iso(row.at) };
  return {
    ...h,
    summary: summary(h, (id) => {
      const entry = id ? steps.get(id) : undefined;
      return entry ? vi(entry.step.label) : String(id);
    }),
  };
}

function summary(h: Omit<HistoryView, 'summary'>, stepName: (id: string | null) => string): string {
  const who = `${h.actor.role} ${h.actor.sub}${h.actor.onBehalfOf ? ` (thay ${h.actor.onBehalfOf} / on behalf of ${h.actor.onBehalfOf})` : ''}`;
  switch (h.kind) {
    case 'started':
      return `Mở hồ sơ ở bước "${stepName(h.toStep)}"`;
    case 'transition':
      return `${who}: ${h.eventType} — "${stepName(h.fromStep)}" → "${stepName(h.toStep)}"`;
    case 'event':
      return `${who}: ${h.eventType} (ở bước "${stepName(h.toStep)}")`;
    case 'deadline':
      return `Đến hạn bước "${stepName(h.toStep)}" (${String(h.details.dueDate ?? '')})`;
    case 'completed':
      return `Hoàn thành: ${String(h.details.outcome ?? '')}`;
    case 'corrected':
      return `${who}: sửa ${String(h.details.event)}.${String(h.details.field)}: ${JSON.stringify(h.details.from)} → ${JSON.stringify(h.details.to)} — ${String(h.details.reason ?? '')}`;
    case 'migrated':
      return `${who}: chuyển sang ${String(h.details.to ?? '')} — "${h.fromStep ?? ''}" → "${stepName(h.toStep)}"`;
    default:
      return h.kind;
  }
}
