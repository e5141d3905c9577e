import type { EntityManager } from '@mikro-orm/postgresql';
import type { HouseholdFacts } from '@rasoat/workflow-core';

/** The household facts a definition's guards read, computed from the case's tables in the caller's transaction. */
export async function householdFacts(tx: EntityManager, caseId: string): Promise<HouseholdFacts> {
  const [row] = await tx.execute<Record<keyof HouseholdFacts, number>[]>(
    `select count(*)::int as total,
            count(*) filter (where h.surveyed_at is not null)::int as surveyed,
            count(*) filter (where h.surveyed_at is null)::int as unsurveyed,
            count(*) filter (where h.classification = 'poor')::int as poor,
            count(*) filter (where h.classification = 'near_poor')::int as "nearPoor",
            count(*) filter (where h.present_votes is not null)::int as voted,
            coalesce(min(h.agree_votes::float8 / nullif(h.present_votes, 0)), 1)::float8 as "minAgreement",
            count(*) filter (where h.present_votes > 0 and h.agree_votes * 2 < h.present_votes)::int as "belowHalfAgreement",
            (select count(*) from household_complaint c where c.case_id = ?)::int as complaints,
            (select count(*) from household_complaint c where c.case_id = ? and c.status = 'open')::int as "openComplaints"
     from household h where h.case_id = ?`,
    [caseId, caseId, caseId],
  );
  return {
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
  };
}
