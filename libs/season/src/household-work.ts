import type { INestApplicationContext } from '@nestjs/common';
import type { Actor } from '@rasoat/contracts';
import {
  HouseholdComplaintsService,
  HouseholdListService,
  HouseholdSurveyService,
  HouseholdVotesService,
  SurveysBody,
  VotesBody,
} from '@rasoat/engine';
import { writeHouseholdFile } from '@rasoat/household-records';
import type { HouseholdAction, RunHouseholdAction } from '@rasoat/season-model';

/**
 * Carries out a village's household operations (`HouseholdAction` of the season model) through
 * the engine's household services, as the API would: the list imported from a household file
 * (CSV, through the same reader as an upload), survey answers, the meeting's votes, complaints
 * and their re-checks — each under the case lock, with the step's checks and history. A refusal
 * throws (the model then stops the village in that step for the day).
 */
export function householdWork(app: INestApplicationContext): RunHouseholdAction {
  const list = app.get(HouseholdListService);
  const survey = app.get(HouseholdSurveyService);
  const votes = app.get(HouseholdVotesService);
  const complaints = app.get(HouseholdComplaintsService);
  return async (caseId: string, action: HouseholdAction) => {
    const actor: Actor = action.actor;
    switch (action.op) {
      case 'import': {
        const content = await writeHouseholdFile(action.rows, 'csv');
        const outcome = await list.importFile(caseId, actor, { format: 'csv', content, fileName: 'danh-sach.csv' });
        if (!outcome.ok)
          throw new Error(
            `the village's list file was refused: ${outcome.errors
              .slice(0, 3)
              .map((e) => JSON.stringify(e))
              .join('; ')}`,
          );
        return;
      }
      case 'survey':
        if (action.surveys.length > 0)
          await survey.surveyMany(caseId, actor, SurveysBody.parse({ surveys: action.surveys }));
        return;
      case 'vote':
        if (action.votes.length > 0)
          await votes.vote(caseId, actor, VotesBody.parse({ meetingDate: action.meetingDate, votes: action.votes }));
        return;
      case 'complain':
        for (const c of action.complaints) await complaints.complain(caseId, c.code, actor, { summary: c.summary });
        return;
      case 'recheck': {
        const open = (await complaints.complaints(caseId, actor)).filter((c) => c.status === 'open');
        for (const c of action.complaints) {
          const complaint = open.find((o) => o.householdCode === c.code);
          if (!complaint) continue;
          await complaints.recheck(caseId, complaint.id, actor, {
            outcome: c.outcome,
            note: c.note,
            ...(c.survey
              ? {
                  survey: {
                    incomePerCapitaMonthly: c.survey.incomePerCapitaMonthly,
                    deprivations: c.survey.deprivations,
                  },
                }
              : {}),
          });
        }
        // Complaints the model did not file (none in a season) stay open: the step's guard then refuses the completion.
        return;
      }
    }
  };
}
