import type { EntityManager } from '@mikro-orm/postgresql';
import type { HouseholdFacts } from '@rasoat/workflow-core';

type FactsRow = Record<keyof HouseholdFacts, number> & { case_id: string };

/** The household facts a definition's guards read, computed from the case's tables in the caller's transaction. */
export async function householdFacts(tx: EntityManager, caseId: string): Promise<HouseholdFacts> {
  return (await householdFactsOf(tx, [caseId])).get(caseId) as HouseholdFacts;
}

/** The household facts of several cases, one statement (a case without households gets zeros). */
export async function householdFactsOf(
  tx: EntityManager,
  caseIds: readonly string[],
): Promise<Map<string, HouseholdFacts>> {
  const rows = await tx.execute<FactsRow[]>(
    `select c.id as case_id, h.*, k.complaints, k."openComplaints"
     from unnest(string_to_array(?, ',')::uuid[]) as c(id)
     cross join lateral (
       select count(*)::int as total,
              count(*) filter (where h.surveyed_at is not null)::int as surveyed,
              count(*) filter (where h.surveyed_at is null)::int as unsurveyed,
              count(*) filter (where h.classification = 'poor')::int as poor,
              count(*) filter (where h.classification = 'near_poor')::int as "nearPoor",
              count(*) filter (where h.present_votes is not null)::int as voted,
              coalesce(min(h.agree_votes::float8 / nullif(h.present_votes, 0)), 1)::float8 as "minAgreement",
              count(*) filter (where h.present_votes > 0 and h.agree_votes * 2 < h.present_votes)::int as "belowHalfAgreement"
       from household h where h.case_id = c.id) h
     cross join lateral (
       select count(*)::int as complaints, (count(*) filter (where k.status = 'open'))::int as "openComplaints"
       from household_complaint k where k.case_id = c.id) k`,
    [caseIds.join(',')],
  );
  return new Map(
    rows.map((row) => [
      row.case_id,
      {
        total: row.total,
        surveyed: row.surveyed,
        unsurveyed: row.unsurveyed,
        poor: row.poor,
        nearPoor: row.nearPoor,
        voted: row.voted,
        minAgreement: Number(row.minAgreement),
        belowHalfAgreement: row.belowHalfAgreement,
        complaints: row.complaints,
        openComplaints: row.openComplaints,
      },
    ]),
  );
}
