import type { Actor } from '@rasoat/contracts';
import type { ComplaintRow } from './households.repository';

/** One complaint as the API returns it; free text withheld unless the reader may see personal data. */
export interface ComplaintView {
  id: string;
  householdCode: string;
  /** Free text that may name people: null for readers who may not see personal data. */
  summary: string | null;
  status: 'open' | 'resolved';
  filedAt: string;
  filedBy: { role: string; unit: string };
  resolution: {
    outcome: string;
    note: string | null;
    from: string | null;
    to: string | null;
    resurveyed: boolean;
  } | null;
  resolvedAt: string | null;
  resolvedBy: { role: string; unit: string } | null;
}

/** The row as the API shows it: `personal` false withholds the summary and the re-check's note; who filed and resolved is shown by role and unit only. */
export function complaintView(row: ComplaintRow, personal: boolean): ComplaintView {
  const who = (actor: Actor | null) => (actor ? { role: actor.role, unit: actor.unit } : null);
  const resolution = row.resolution;
  return {
    id: row.id,
    householdCode: row.household_code,
    summary: personal ? row.summary : null,
    status: row.status,
    filedAt: new Date(row.filed_at).toISOString(),
    filedBy: who(row.filed_by) as { role: string; unit: string },
    resolution: resolution
      ? {
          outcome: resolution.outcome,
          note: personal ? resolution.note : null,
          from: resolution.from ?? null,
          to: resolution.to ?? null,
          resurveyed: resolution.survey !== undefined,
        }
      : null,
    resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at).toISOString(),
    resolvedBy: who(row.resolved_by),
  };
}
