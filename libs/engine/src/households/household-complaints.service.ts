import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '@rasoat/contracts';
import { stableJson } from '@rasoat/workflow-core';
import { HouseholdCaseService } from './household-case.service';
import type { StoredClassification, SurveyAnswers } from './household-classification';
import { complaintView, type ComplaintView } from './household-complaint-view';
import type { ComplaintBody, RecheckBody } from './household-requests';
import { householdView, type HouseholdView } from './household-view';
import { ComplaintNotFoundException, HouseholdConflictException } from './households.exception';
import { HouseholdsRepository, type ComplaintResolution, type ComplaintRow } from './households.repository';

/**
 * Complaints against a household's result during posting (operation `complain`) and their
 * re-check by the commune (phúc tra, operation `recheck`), which may re-survey the household.
 */
@Injectable()
export class HouseholdComplaintsService {
  constructor(
    private readonly households: HouseholdsRepository,
    private readonly cases: HouseholdCaseService,
  ) {}

  async complaints(caseId: string, actor: Actor): Promise<ComplaintView[]> {
    return this.cases.read(caseId, actor, async (em, c) => {
      const rows = await this.households.complaints(em, caseId);
      return rows.map((row) => complaintView(row, c.personal));
    });
  }

  /** Opens a complaint against a household's result; the same open complaint again is returned, not duplicated. */
  async complain(
    caseId: string,
    code: string,
    actor: Actor,
    body: ComplaintBody,
  ): Promise<{ complaint: ComplaintView; created: boolean }> {
    return this.cases.change(caseId, actor, 'complain', async (tx, c, now) => {
      const row = await this.cases.household(tx, caseId, code);
      const same = await this.households.findOpenComplaint(tx, caseId, row.code, body.summary);
      if (same) return { complaint: complaintView(same, c.personal), created: false };
      const id = await this.households.insertComplaint(tx, caseId, row.code, body.summary, actor, now);
      await this.cases.history(tx, c, now, actor, 'complain', {
        complaintId: id,
        code: row.code,
        summary: `Tiếp nhận khiếu nại về hộ ${row.code}`,
      });
      return { complaint: complaintView(await this.complaint(tx, caseId, id), c.personal), created: true };
    });
  }

  /**
   * Resolves a complaint with the re-check's outcome; with survey answers the household is
   * re-classified (the replaced classification is kept with the complaint). The same request
   * again returns the resolution; a different one for a resolved complaint is a conflict.
   */
  async recheck(
    caseId: string,
    complaintId: string,
    actor: Actor,
    body: RecheckBody,
  ): Promise<{ complaint: ComplaintView; household: HouseholdView; changed: boolean }> {
    return this.cases.change(caseId, actor, 'recheck', async (tx, c, now) => {
      const complaint = await this.complaint(tx, caseId, complaintId);
      const row = await this.cases.household(tx, caseId, complaint.household_code);
      const survey: SurveyAnswers | undefined = body.survey
        ? {
            area: body.survey.area ?? row.area,
            incomePerCapitaMonthly: body.survey.incomePerCapitaMonthly,
            deprivations: [...new Set(body.survey.deprivations)],
            // Only when counted, so that a re-check recorded before the count existed still compares equal.
            ...(typeof body.survey.lowIncomeWorkers === 'number'
              ? { lowIncomeWorkers: body.survey.lowIncomeWorkers }
              : {}),
          }
        : undefined;
      if (complaint.status === 'resolved') {
        const previous = complaint.resolution;
        const same =
          previous !== null &&
          previous.outcome === body.outcome &&
          previous.note === body.note &&
          stableJson(previous.survey ?? null) === stableJson(survey ?? null);
        if (same)
          return {
            complaint: complaintView(complaint, c.personal),
            household: householdView(row, c.personal),
            changed: false,
          };
        throw new HouseholdConflictException(
          'COMPLAINT_ALREADY_RESOLVED',
          `Khiếu nại "${complaintId}" đã có kết quả phúc tra khác / the complaint was already resolved otherwise`,
          { complaintId, outcome: previous?.outcome },
        );
      }

      let result: StoredClassification | null = null;
      if (survey) {
        result = this.cases.classify(c, row.code, survey, 'survey.', row.member_count);
        await this.households.writeSurvey(tx, row.id, survey, result, actor, now);
      }
      const resolution: ComplaintResolution = {
        outcome: body.outcome,
        note: body.note,
        ...(survey && result
          ? {
              survey,
              from: row.classification,
              to: result.classification,
              previous: {
                classification: row.classification,
                explanation: row.explanation,
                ruleSet: row.rule_set,
                provincial:
                  row.provincial_rule_set === null
                    ? null
                    : {
                        classification: row.provincial_classification,
                        explanation: row.provincial_explanation,
                        ruleSet: row.provincial_rule_set,
                      },
              },
            }
          : {}),
      };
      await this.households.resolveComplaint(tx, complaint.id, resolution, actor, now);
      await this.cases.history(tx, c, now, actor, 'recheck', {
        complaintId: complaint.id,
        code: row.code,
        outcome: body.outcome,
        ...(result ? { from: row.classification, to: result.classification, ruleSet: result.ruleSet } : {}),
        summary: `Phúc tra khiếu nại về hộ ${row.code}: ${body.outcome === 'upheld' ? 'có cơ sở' : 'không có cơ sở'}${result ? ` — ${row.classification ?? 'chưa phân loại'} → ${result.classification}` : ''}`,
      });
      return {
        complaint: complaintView(await this.complaint(tx, caseId, complaint.id), c.personal),
        household: householdView(await this.cases.household(tx, caseId, row.code), c.personal),
        changed: true,
      };
    });
  }

  private async complaint(em: EntityManager, caseId: string, id: string): Promise<ComplaintRow> {
    const row = await this.households.findComplaint(em, caseId, id);
    if (!row) throw new ComplaintNotFoundException(caseId, id);
    return row;
  }
}
