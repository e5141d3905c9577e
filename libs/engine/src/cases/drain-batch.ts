import type { BatchOutcome } from '../infrastructure';

/** What one drain of a case's inbox did. */
export interface DrainOutcome {
  status: 'done' | 'more' | 'unknown-case';
  applied: number;
  rejected: number;
}

type DrainMany = (caseIds: readonly string[]) => Promise<Map<string, DrainOutcome>>;

/**
 * The flush of the drain group commit: drains a batch of requested cases in one transaction.
 * A failed batch (a deadlock, one case whose snapshot cannot be read) is retried case by case,
 * so that the failure reaches only the callers of the case that caused it. A case requested
 * twice in one batch counts its events once, for its first caller.
 */
export function drainBatch(
  drainMany: DrainMany,
): (caseIds: readonly string[]) => Promise<BatchOutcome<DrainOutcome>[]> {
  return async (caseIds) => {
    try {
      const outcomes = await drainMany(caseIds);
      return answer(caseIds, (id) => ({ ok: true, value: outcomes.get(id) as DrainOutcome }));
    } catch (error) {
      const distinct = [...new Set(caseIds)];
      if (distinct.length === 1) return caseIds.map(() => ({ ok: false, error }));
      const alone = new Map<string, BatchOutcome<DrainOutcome>>();
      for (const id of distinct) {
        try {
          alone.set(id, { ok: true, value: (await drainMany([id])).get(id) as DrainOutcome });
        } catch (e) {
          alone.set(id, { ok: false, error: e });
        }
      }
      return answer(caseIds, (id) => alone.get(id) as BatchOutcome<DrainOutcome>);
    }
  };
}

function answer(
  caseIds: readonly string[],
  outcomeOf: (id: string) => BatchOutcome<DrainOutcome>,
): BatchOutcome<DrainOutcome>[] {
  const told = new Set<string>();
  return caseIds.map((id) => {
    const outcome = outcomeOf(id);
    const repeat = told.has(id);
    told.add(id);
    return repeat && outcome.ok ? { ok: true, value: { ...outcome.value, applied: 0, rejected: 0 } } : outcome;
  });
}
