import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs a statement with its parameters sent apart from the text (`$1`, `$2`… on the wire),
 * inside the entity manager's transaction when it has one. For the hot paths that send large
 * JSON parameters: `EntityManager.execute` interpolates every parameter into the SQL text on the
 * client (escaping each character), which cost the worker more CPU than the statements did.
 * Placeholders are `?`, as with `execute`.
 */
export async function sql<T = Record<string, unknown>>(
  em: EntityManager,
  text: string,
  params: readonly unknown[] = [],
): Promise<T[]> {
  const query = em.getKnex().raw(text, params as never);
  const tx = em.getTransactionContext();
  if (tx) query.transacting(tx);
  const result = (await query) as { rows: T[] };
  return result.rows;
}
