import type { Actor } from '@rasoat/contracts';
import type { HouseholdAction } from './village-households';
import type { PlannedEvent, VillageAgent } from './village';

/** Bulk acceptance: chunks of at most this many events, this many chunks in flight unless told. */
export const ACCEPT_CHUNK = 500;
export const ACCEPT_CONCURRENCY = 4;

/** One event as the engine's bulk acceptance takes it (libs/engine's `AcceptRequest`). */
export interface AcceptItem {
  caseId: string;
  body: { type: string; data: Record<string, unknown>; idempotencyKey: string };
  actor: Actor;
}

/** The engine's `CaseAcceptanceService.acceptMany`, as the model sees it: one outcome per item, in order. */
export type AcceptMany = (items: AcceptItem[]) => Promise<({ ok: true } | { ok: false; error: unknown })[]>;

/** Carries out one village's household operation of the day (the engine's household services). */
export type RunHouseholdAction = (caseId: string, action: HouseholdAction) => Promise<void>;

/** The villages as the day's work sees them. */
export type WorkingVillage = Pick<VillageAgent, 'caseId' | 'done' | 'dueOn' | 'refused' | 'plans'>;

/** The villages as the day's household work sees them. */
export type HouseholdVillage = Pick<VillageAgent, 'caseId' | 'done' | 'householdsOn' | 'plans' | 'refused'>;

/**
 * The household operations of the day, before the day's events: each village's in order, `lanes`
 * villages at once. A refused operation stops that village's work in the step for the day (its
 * events are dropped too: the event would be refused by the step's guard anyway) and is reported.
 * Returns the villages whose operations all went through.
 */
export async function runHouseholdWork<V extends HouseholdVillage>(
  villages: readonly V[],
  day: string,
  run: RunHouseholdAction,
  options: { lanes: number; onRefused(village: V, action: HouseholdAction, error: unknown): void },
): Promise<number> {
  const due = villages.flatMap((village) => {
    const actions = village.done ? [] : village.householdsOn(day);
    return actions.length > 0 ? [{ village, actions }] : [];
  });
  let done = 0;
  await forEachLimited(due, options.lanes, async ({ village, actions }) => {
    for (const action of actions) {
      try {
        await run(village.caseId, action);
        done++;
      } catch (error) {
        village.refused++;
        options.onRefused(village, action, error);
        for (const plan of village.plans.values()) if (plan.day === day) plan.day = null;
        return;
      }
    }
  });
  return done;
}

export interface VillageWorkOptions<V extends WorkingVillage> {
  /** Chunks in flight. */
  lanes: number;
  /** Each chunk before it is sent, with its number of events. */
  onChunk?(events: number): void;
  /** A village's event refused at acceptance: the village stops in that step (the model and the definition disagree). */
  onRefused(village: V, event: PlannedEvent, error: unknown): void;
}

/**
 * The villages' work of the day, accepted in bulk (CaseAcceptanceService.acceptMany): round k
 * sends the k-th event of every village due today, so each village's events keep their order
 * and a village whose event is refused sends nothing more that day, as if it sent them one by
 * one. A round goes in chunks (`acceptChunks`), `lanes` chunks in flight. Returns the steps
 * each village sent events for.
 */
export async function sendVillageWork<V extends WorkingVillage>(
  villages: readonly V[],
  day: string,
  acceptMany: AcceptMany,
  options: VillageWorkOptions<V>,
): Promise<Map<V, Set<string>>> {
  let round = villages.flatMap((village) => {
    const events = village.done ? [] : village.dueOn(day);
    return events.length > 0 ? [{ village, events, next: 0 }] : [];
  });
  const sent = new Map<V, Set<string>>();
  while (round.length > 0) {
    const later: typeof round = [];
    await forEachLimited(acceptChunks(round, options.lanes), options.lanes, async (chunk) => {
      options.onChunk?.(chunk.length);
      const outcomes = await acceptMany(
        chunk.map(({ village, events, next }) => {
          const e = events[next];
          return {
            caseId: village.caseId,
            body: { type: e.type, data: e.data, idempotencyKey: e.idempotencyKey },
            actor: e.actor,
          };
        }),
      );
      chunk.forEach((item, i) => {
        const { village, events, next } = item;
        const e = events[next];
        const outcome = outcomes[i];
        if (outcome.ok) {
          let steps = sent.get(village);
          if (!steps) sent.set(village, (steps = new Set()));
          steps.add(e.step);
          if (next + 1 < events.length) later.push({ ...item, next: next + 1 });
        } else {
          village.refused++;
          options.onRefused(village, e, outcome.error);
          village.plans.set(e.step, { day: null, events: [] });
        }
      });
    });
    round = later;
  }
  return sent;
}

/** A round cut into chunks: as many as there are lanes, each at most ACCEPT_CHUNK long, in order. */
export function acceptChunks<T>(round: readonly T[], lanes: number): T[][] {
  const size = Math.min(ACCEPT_CHUNK, Math.ceil(round.length / lanes));
  return Array.from({ length: Math.ceil(round.length / size) }, (_, i) => round.slice(i * size, (i + 1) * size));
}

/** Runs `run` over `items`, at most `limit` at once, starting them in order. */
async function forEachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await run(items[next++]);
  });
  await Promise.all(lanes);
}
