import { Injectable } from '@nestjs/common';
import type { Actor } from '@rasoat/contracts';
import { HouseholdCaseService } from './household-case.service';
import { sameAnswers, type SurveyAnswers } from './household-classification';
import type { SurveyBody } from './household-requests';
import { householdView, incomeOf, type HouseholdChange } from './household-view';
import { HouseholdsRepository } from './households.repository';

/** The survey (operation `survey`): a household's answers, and its classification with the explanation of the period's rules. */
@Injectable()
export class HouseholdSurveyService {
  constructor(
    private readonly households: HouseholdsRepository,
    private readonly cases: HouseholdCaseService,
  ) {}

  /** Records a household's survey answers and classifies it with the period's rules (idempotent PUT). */
  async survey(caseId: string, code: string, actor: Actor, body: SurveyBody): Promise<HouseholdChange> {
    return this.cases.change(caseId, actor, 'survey', async (tx, c, now) => {
      const row = await this.cases.household(tx, caseId, code);
      const answers: SurveyAnswers = {
        area: body.area ?? row.area,
        incomePerCapitaMonthly: body.incomePerCapitaMonthly,
        deprivations: body.deprivations,
        lowIncomeWorkers: body.lowIncomeWorkers ?? null,
      };
      if (
        row.surveyed_at !== null &&
        sameAnswers(answers, {
          area: row.area,
          incomePerCapitaMonthly: incomeOf(row),
          deprivations: row.deprivations,
          lowIncomeWorkers: row.low_income_workers,
        })
      ) {
        return { household: householdView(row, c.personal), changed: false };
      }
      const result = this.cases.classify(c, row.code, answers, '', row.member_count);
      await this.households.writeSurvey(tx, row.id, answers, result, actor, now);
      const provincial = result.provincial
        ? `; chuẩn riêng của tỉnh: ${row.provincial_classification ?? 'chưa phân loại'} → ${result.provincial.classification}`
        : '';
      await this.cases.history(tx, c, now, actor, 'survey', {
        code: row.code,
        from: row.classification,
        to: result.classification,
        ruleSet: result.ruleSet,
        ...(result.provincial
          ? {
              provincial: {
                from: row.provincial_classification,
                to: result.provincial.classification,
                ruleSet: result.provincial.ruleSet,
              },
            }
          : {}),
        summary: `Rà soát hộ ${row.code}: ${row.classification ?? 'chưa phân loại'} → ${result.classification} (chuẩn ${result.ruleSet})${provincial}`,
      });
      return { household: householdView(await this.cases.household(tx, caseId, row.code), c.personal), changed: true };
    });
  }
}
