import { Injectable } from '@nestjs/common';
import type { Actor } from '@rasoat/contracts';
import { HouseholdCaseService } from './household-case.service';
import { sameAnswers, type SurveyAnswers } from './household-classification';
import type { SurveyBody, SurveysBody } from './household-requests';
import { householdView, incomeOf, type HouseholdChange, type HouseholdRow } from './household-view';
import { HouseholdInvalidException } from './households.exception';
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

  /**
   * The survey of many households of one case at once (a surveyor's day of forms, the season
   * simulator's villages): one transaction under the case lock, each household classified as by
   * `survey`, one history entry. An unknown or repeated code, or bad answers, is named (400) and
   * nothing is written; households whose answers are unchanged are left alone.
   */
  async surveyMany(
    caseId: string,
    actor: Actor,
    body: SurveysBody,
  ): Promise<{ recorded: number; changed: number; classes: Record<string, number> }> {
    return this.cases.change(caseId, actor, 'survey', async (tx, c, now) => {
      const rows = await this.households.households(tx, caseId);
      const byCode = new Map(rows.map((row) => [row.code.toUpperCase(), row]));
      const seen = new Set<string>();
      const issues = body.surveys.flatMap((item, i) => {
        const key = item.code.trim().toUpperCase();
        if (seen.has(key)) return [{ field: `surveys.${i}.code`, message: `mã hộ "${item.code}" lặp lại / repeated` }];
        seen.add(key);
        return byCode.has(key)
          ? []
          : [{ field: `surveys.${i}.code`, message: `không có hộ "${item.code}" trong danh sách / no such household` }];
      });
      if (issues.length > 0) throw new HouseholdInvalidException(issues);
      const changed: { code: string; from: string | null; to: string }[] = [];
      const writes: Parameters<HouseholdsRepository['writeSurveys']>[1][number][] = [];
      const classes: Record<string, number> = {};
      for (const [i, item] of body.surveys.entries()) {
        const row = byCode.get(item.code.trim().toUpperCase()) as HouseholdRow;
        const answers: SurveyAnswers = {
          area: item.area ?? row.area,
          incomePerCapitaMonthly: item.incomePerCapitaMonthly,
          deprivations: item.deprivations,
          lowIncomeWorkers: item.lowIncomeWorkers ?? null,
        };
        const same =
          row.surveyed_at !== null &&
          sameAnswers(answers, {
            area: row.area,
            incomePerCapitaMonthly: incomeOf(row),
            deprivations: row.deprivations,
            lowIncomeWorkers: row.low_income_workers,
          });
        if (same) {
          if (row.classification) classes[row.classification] = (classes[row.classification] ?? 0) + 1;
          continue;
        }
        const result = this.cases.classify(c, row.code, answers, `surveys.${i}.`, row.member_count);
        writes.push({ householdId: row.id, answers, result });
        classes[result.classification] = (classes[result.classification] ?? 0) + 1;
        changed.push({ code: row.code, from: row.classification, to: result.classification });
      }
      await this.households.writeSurveys(tx, writes, actor, now);
      if (changed.length > 0) {
        await this.cases.history(tx, c, now, actor, 'survey', {
          households: changed.slice(0, 200),
          ...(changed.length > 200 ? { codesTruncated: true } : {}),
          summary: `Rà soát ${changed.length} hộ: ${Object.entries(classes)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ')}`,
        });
      }
      return { recorded: body.surveys.length, changed: changed.length, classes };
    });
  }
}
