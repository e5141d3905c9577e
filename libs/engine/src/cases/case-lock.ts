import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../infrastructure';

/** The advisory-lock key space of case locks (the two-integer space, apart from single-key locks). */
const CASE_LOCK_SPACE = 7401;

/**
 * Takes the case lock of each case, in id order, until the transaction ends. It serialises the
 * writers of a case's state — drains, household writes, deadline onDue events, migrations —
 * without holding the case's row: acceptance keeps numbering new events on that row meanwhile,
 * and waits only for the short update that ends a drain. Every holder takes the case lock before
 * any row lock, so they cannot deadlock with each other or with acceptance.
 */
export async function lockCases(tx: EntityManager, caseIds: readonly string[]): Promise<void> {
  if (caseIds.length === 0) return;
  await sql(
    tx,
    `select pg_advisory_xact_lock(${CASE_LOCK_SPACE}, hashtext(x.id)) from (select unnest(string_to_array(?, ',')) as id order by 1) x`,
    [[...new Set(caseIds)].sort().join(',')],
  );
}
