import { Injectable } from '@nestjs/common';
import type { Actor } from '@rasoat/contracts';
import { HouseholdCaseService } from './household-case.service';
import type { VotesBody } from './household-requests';
import type { HouseholdRow } from './household-view';
import { voteIssues } from './household-votes';
import { HouseholdInvalidException } from './households.exception';
import { HouseholdsRepository } from './households.repository';

/** The residents' meeting (operation `vote`): per household, votes agreeing out of those present. */
@Injectable()
export class HouseholdVotesService {
  constructor(
    private readonly households: HouseholdsRepository,
    private readonly cases: HouseholdCaseService,
  ) {}

  /**
   * Records the meeting's votes. Every bad item is named (400) and nothing is written; a later
   * meeting's votes overwrite earlier ones; households whose votes are the same are left alone.
   */
  async vote(
    caseId: string,
    actor: Actor,
    body: VotesBody,
  ): Promise<{ recorded: number; changed: number; belowHalf: string[] }> {
    return this.cases.change(caseId, actor, 'vote', async (tx, c, now) => {
      const rows = await this.households.households(tx, caseId);
      const issues = voteIssues(
        body.votes,
        rows.map((row) => row.code),
      );
      if (issues.length > 0) throw new HouseholdInvalidException(issues);
      const byCode = new Map(rows.map((row) => [row.code.toUpperCase(), row]));
      const votedAt = new Date(`${body.meetingDate}T00:00:00+07:00`);
      const changed: { code: string; agree: number; present: number }[] = [];
      const writes: { householdId: string; agree: number; present: number }[] = [];
      for (const vote of body.votes) {
        const row = byCode.get(vote.code.trim().toUpperCase()) as HouseholdRow;
        const same =
          row.agree_votes === vote.agree &&
          row.present_votes === vote.present &&
          row.voted_at !== null &&
          new Date(row.voted_at).getTime() === votedAt.getTime();
        if (same) continue;
        writes.push({ householdId: row.id, agree: vote.agree, present: vote.present });
        changed.push({ code: row.code, agree: vote.agree, present: vote.present });
      }
      // One statement for the meeting's votes, however many households.
      if (writes.length > 0) await this.households.writeVotesMany(tx, writes, votedAt, now);
      const belowHalf = body.votes
        .filter((vote) => vote.agree * 2 < vote.present)
        .map((vote) => (byCode.get(vote.code.trim().toUpperCase()) as HouseholdRow).code);
      if (changed.length > 0) {
        await this.cases.history(tx, c, now, actor, 'vote', {
          meetingDate: body.meetingDate,
          votes: changed,
          belowHalf,
          summary: `Họp dân ngày ${body.meetingDate}: ghi biểu quyết ${changed.length} hộ${belowHalf.length > 0 ? `; dưới 50% đồng ý: ${belowHalf.join(', ')}` : ''}`,
        });
      }
      return { recorded: body.votes.length, changed: changed.length, belowHalf };
    });
  }
}
