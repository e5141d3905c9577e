import type { FieldIssue } from './households.exception';

/** One household's result at the residents' meeting: votes agreeing with its classification, out of those present. */
export interface VoteInput {
  code: string;
  agree: number;
  present: number;
}

/**
 * Every problem of a meeting's votes, each named by its item (`votes[2].agree`): a household code
 * not on the list or given twice, nobody present, more agreeing than present. Codes match without
 * regard to case, as on import. Empty when the votes may be recorded.
 */
export function voteIssues(votes: readonly VoteInput[], knownCodes: Iterable<string>): FieldIssue[] {
  const known = new Set([...knownCodes].map((code) => code.toUpperCase()));
  const issues: FieldIssue[] = [];
  const firstIndex = new Map<string, number>();
  votes.forEach((vote, i) => {
    const key = vote.code.trim().toUpperCase();
    if (!known.has(key)) {
      issues.push({
        field: `votes[${i}].code`,
        message: `Không có hộ mã "${vote.code}" trong danh sách / no household "${vote.code}" on the list`,
      });
    } else if (firstIndex.has(key)) {
      issues.push({
        field: `votes[${i}].code`,
        message: `Hộ "${vote.code}" đã có ở votes[${firstIndex.get(key)}] / household "${vote.code}" repeats votes[${firstIndex.get(key)}]`,
      });
    } else firstIndex.set(key, i);
    if (vote.present <= 0) {
      issues.push({
        field: `votes[${i}].present`,
        message: `Số người có mặt phải lớn hơn 0, nhận được ${vote.present} / present must be greater than 0, got ${vote.present}`,
      });
    }
    if (vote.agree > vote.present) {
      issues.push({
        field: `votes[${i}].agree`,
        message: `Số đồng ý (${vote.agree}) lớn hơn số người có mặt (${vote.present}) / agree (${vote.agree}) exceeds present (${vote.present})`,
      });
    }
  });
  return issues;
}

/** The share of those present who agreed; null when nobody voted. */
export function agreementShare(agree: number | null, present: number | null): number | null {
  if (agree === null || present === null || present <= 0) return null;
  return agree / present;
}
