import type { WorkingDayCalendar } from '@rasoat/calendar';
import type { Actor, UserRole } from '@rasoat/contracts';
import {
  allSteps,
  HOUSEHOLD_GUARDS,
  type Definition,
  type EventSpec,
  type FieldSpec,
  type HouseholdOperation,
  type StepEntry,
  type StepSpec,
  type TransitionSpec,
} from '@rasoat/workflow-core';
import { between, deriveSeed, intBetween, mulberry32, shuffled, type Random } from './prng';
import {
  answersFor,
  expectedClass,
  householdList,
  householdRecord,
  surveyAnswers,
  type HouseholdAction,
  type PlannedComplaint,
  type SimulatedHousehold,
  type SurveyProfile,
} from './village-households';
import type { VillageUnit } from './village-unit';

/** How fast a village works: a fifth early, about one in twenty late, the rest in the middle. */
export type Pace = 'early' | 'typical' | 'late';
export const PACES: readonly Pace[] = ['early', 'typical', 'late'];

/**
 * The behaviour model, in working days and probabilities. A typical village takes about 55
 * working days for the whole procedure (the 2026 window has 73); an early one about half that;
 * a late one is slower throughout and gets stuck in one step for weeks, so that it meets the
 * reminders, misses the window end and is escalated.
 */
export const BEHAVIOUR = {
  /** Working days a typical village (factor 1) takes in each step, ±30 % per draw. */
  baseDays: {
    listing: 5,
    survey: 15,
    meeting: 8,
    recheck: 2,
    commune_report: 9,
    district_opinion: 6,
    province_opinion: 6,
    recognition: 5,
    reporting: 4,
  } as Record<string, number>,
  /** Steps this model does not know (other definitions). */
  defaultDays: 5,
  share: { early: 0.2, late: 0.05 },
  factor: { early: [0.45, 0.7], typical: [0.75, 1.1], late: [1.2, 1.5] } as Record<Pace, [number, number]>,
  /** A late village is stuck this many extra working days in one of its steps. */
  stuckDays: [10, 30] as [number, number],
  /** A first survey that misses households (the guard rejects it; sent again 1–3 working days later). */
  incompleteSurvey: 0.04,
  /** Meeting without quorum (first attempt of a round, later attempts). */
  invalidMeeting: [0.08, 0.02] as [number, number],
  /** Meeting where some households get under 50 % agreement → re-survey (first round, later rounds). */
  resurvey: [0.06, 0.01] as [number, number],
  /** Complaints during the posting period (first posting, later postings) → re-check. */
  complaints: [0.12, 0.04] as [number, number],
  /** A re-check that takes 4–9 working days (its deadline is 3): reminders, overdue, escalation in season. */
  slowRecheck: 0.3,
  slowRecheckDays: [4, 9] as [number, number],
  /** A late village's re-check: 6–15 working days. */
  lateRecheckDays: [6, 15] as [number, number],
  /** The district chairman (or, from 1/7/2025, the provincial chairman) disagrees (first opinion only) → re-check. */
  districtDisagrees: 0.03,
  /** The review list: households on last year's lists, arising in the year, with a request (Mẫu số 01). */
  list: { previous: [4, 20], newlyArising: [0, 4], requests: [0, 3] } as Record<string, [number, number]>,
  /** A re-check finds the complaint justified (the household is surveyed again and re-classified). */
  complaintUpheld: 0.3,
  /** The commune Fatherland Front sends a representative to supervise the meeting. */
  frontAttends: 0.9,
};

/** One event a village will send, with the actor the definition requires. */
export interface PlannedEvent {
  type: string;
  data: Record<string, unknown>;
  actor: Actor;
  idempotencyKey: string;
  /** The step it was planned for. */
  step: string;
}

/**
 * What a village will do in a step: household operations then events on a working day, or
 * nothing (`day: null`: waiting for the system or others).
 */
export interface Plan {
  day: string | null;
  events: PlannedEvent[];
  /** Household operations carried out that day before the events (definitions gated on the household records). */
  households?: HouseholdAction[];
}

/** What every village of a run shares: the definition, its steps, the province calendar, the year. */
export interface AgentContext {
  definition: Definition;
  steps: Map<string, StepEntry>;
  calendar: WorkingDayCalendar;
  year: number;
  /**
   * The campaign's poverty standard as the model needs it. Given, the village keeps a household
   * list and, where the definition's guards read the household records, works on it through the
   * household operations; absent, it sends form events only.
   */
  survey?: SurveyProfile;
}

const COMPLAINTS = [
  'Hộ đề nghị xem xét lại điểm thiếu hụt dịch vụ xã hội cơ bản',
  'Hộ cho rằng thu nhập bình quân được tính chưa đúng',
  'Người dân phản ánh hộ có tài sản lớn nhưng vẫn trong danh sách',
  'Hộ không đồng ý kết quả phân loại cận nghèo',
  'Phản ánh bỏ sót hộ phát sinh mới trong năm',
];

/**
 * One village's review board, surveyors and, for its case, the commune and district officials.
 * Every draw comes from the village's own seeded stream, in the order of its own history, so a
 * run is reproducible whatever order the engine applies events of different villages in.
 */
export class VillageAgent {
  readonly plans = new Map<string, Plan>();
  done = false;
  /** Events refused at acceptance (a bug of the model: the definition disagrees with it). */
  refused = 0;
  readonly factor: number;
  readonly stuckStep: string | null;
  private stuckLeft: number;
  private readonly random: Random;
  private households: {
    count: number;
    previous: number;
    newlyArising: number;
    requests: number;
    poor: number;
    nearPoor: number;
    escapedPoor: number;
    escapedNearPoor: number;
  };
  /** The review list (with a survey profile), and whether the definition moves on it. */
  private readonly list: SimulatedHousehold[];
  private readonly gated: boolean;
  /** Complaints filed in the current posting, re-checked next. */
  private complaints: PlannedComplaint[] = [];
  private classificationsChanged = 0;
  private sent = 0;
  private surveyRound = 0;
  private meetingRound = 0;
  private meetingAttempt = 0;
  private postingRound = 0;
  private openComplaints = 0;
  private opinions = 0;
  private reports = 0;

  constructor(
    readonly unit: VillageUnit,
    readonly caseId: string,
    readonly pace: Pace,
    seed: number,
    private readonly ctx: AgentContext,
  ) {
    this.random = mulberry32(deriveSeed(seed, unit.code));
    const [lo, hi] = BEHAVIOUR.factor[pace];
    this.factor = between(this.random, lo, hi);
    const stuckCandidates = Object.keys(BEHAVIOUR.baseDays).filter((s) => s !== 'recheck' && ctx.steps.has(s));
    this.stuckStep =
      pace === 'late' && stuckCandidates.length > 0
        ? stuckCandidates[intBetween(this.random, 0, stuckCandidates.length - 1)]
        : null;
    this.stuckLeft = this.stuckStep ? intBetween(this.random, ...BEHAVIOUR.stuckDays) : 0;
    const previous = intBetween(this.random, ...BEHAVIOUR.list.previous);
    const newlyArising = intBetween(this.random, ...BEHAVIOUR.list.newlyArising);
    const requests = intBetween(this.random, ...BEHAVIOUR.list.requests);
    const count = previous + newlyArising + requests;
    this.list = ctx.survey
      ? householdList(this.random, { previous, newlyArising, requests }, unit.area ?? 'rural', ctx.survey)
      : [];
    this.gated = ctx.survey !== undefined && householdGatedStep(ctx.definition) !== null;
    const poor = ctx.survey
      ? this.list.filter((h) => h.expected === 'poor').length
      : Math.round(count * between(this.random, 0.12, 0.3));
    const nearPoor = ctx.survey
      ? this.list.filter((h) => h.expected === 'near_poor').length
      : Math.min(count - poor, Math.round(count * between(this.random, 0.15, 0.35)));
    this.households = {
      count,
      previous,
      newlyArising,
      requests,
      poor,
      nearPoor,
      escapedPoor: intBetween(this.random, 0, 3),
      escapedNearPoor: intBetween(this.random, 0, 3),
    };
  }

  /** The events due today, in the order to send them. */
  dueOn(day: string): PlannedEvent[] {
    const out: PlannedEvent[] = [];
    for (const plan of this.plans.values()) if (plan.day === day) out.push(...plan.events);
    return out;
  }

  /** The household operations due today, in order: carried out before the day's events. */
  householdsOn(day: string): HouseholdAction[] {
    const out: HouseholdAction[] = [];
    for (const plan of this.plans.values()) if (plan.day === day && plan.households) out.push(...plan.households);
    return out;
  }

  /** The village's review list (empty without a survey profile). */
  get householdList(): readonly SimulatedHousehold[] {
    return this.list;
  }

  /**
   * After a virtual day: the case is now in `active` steps (or done). A step entered today gets
   * a fresh plan; a step the village sent an event for today and is still in (an invalid
   * meeting, a rejected survey, complaints) gets its next plan; steps left are forgotten.
   */
  observe(active: readonly string[] | 'done', today: string, sentFor: ReadonlySet<string>): void {
    if (active === 'done') {
      this.done = true;
      this.plans.clear();
      return;
    }
    for (const step of [...this.plans.keys()]) if (!active.includes(step)) this.plans.delete(step);
    for (const step of active) {
      const fresh = !this.plans.has(step);
      if (fresh || sentFor.has(step)) this.plans.set(step, this.plan(step, today, fresh));
    }
  }

  /** What the village will do in `step`, entered today (`fresh`) or still in after its own event. */
  plan(step: string, today: string, fresh: boolean): Plan {
    const spec = this.ctx.steps.get(step)?.step;
    if (!spec || spec.type === 'final' || spec.type === 'parallel') return { day: null, events: [] };
    switch (step) {
      case 'listing':
        if (this.gated && this.has(spec, 'REVIEW_LIST_SUBMITTED') && opens(spec, 'import'))
          return this.planListing(spec, today, fresh);
        break;
      case 'survey':
        if (this.has(spec, 'SURVEY_COMPLETED')) return this.planSurvey(spec, today, fresh);
        break;
      case 'meeting':
        if (this.has(spec, 'MEETING_HELD')) return this.planMeeting(spec, today, fresh);
        break;
      case 'recheck':
        if (this.has(spec, 'RECHECK_COMPLETED')) return this.planRecheck(spec, today, fresh);
        break;
      case 'district_opinion':
      case 'province_opinion': {
        const type = step === 'district_opinion' ? 'DISTRICT_OPINION_GIVEN' : 'PROVINCE_OPINION_GIVEN';
        if (this.has(spec, type)) {
          const day = this.after(today, fresh ? this.days(step) : intBetween(this.random, 1, 3));
          const agreed = !(this.opinions++ === 0 && this.random() < BEHAVIOUR.districtDisagrees);
          return {
            day,
            events: [
              this.event(
                spec,
                step,
                type,
                day,
                agreed ? { agreed } : { agreed, note: 'Đề nghị xã phúc tra lại một số hộ trước khi công nhận' },
              ),
            ],
          };
        }
        break;
      }
    }
    const progress = progressEvents(spec, step, this.ctx.definition);
    if (progress.length === 0) return fresh ? this.planWaiting(spec, step, today) : { day: null, events: [] };
    const day = this.after(today, fresh ? this.days(step) : intBetween(this.random, 1, 3));
    return { day, events: [this.event(spec, step, progress[0], day, {})] };
  }

  /** Step 1 on the household records: the list file imported, then the list submitted with its count. */
  private planListing(spec: StepSpec, today: string, fresh: boolean): Plan {
    const day = this.after(today, fresh ? this.days('listing') : intBetween(this.random, 1, 3));
    const h = this.households;
    return {
      day,
      households: [
        { op: 'import', actor: this.actor(householdRole(spec, 'import')), rows: this.list.map(householdRecord) },
      ],
      events: [
        this.event(spec, 'listing', 'REVIEW_LIST_SUBMITTED', day, {
          householdCount: this.list.length,
          fromPreviousLists: h.previous,
          newlyArising: h.newlyArising,
          requests: h.requests,
        }),
      ],
    };
  }

  /** A step that only the system (its deadline's onDue) or another region ends, e.g. the posting period: perhaps complaints. */
  private planWaiting(spec: StepSpec, step: string, today: string): Plan {
    const asEvents = this.has(spec, 'COMPLAINT_FILED');
    const asHouseholds = this.gated && opens(spec, 'complain') && this.list.length > 0;
    if (!asEvents && !asHouseholds) return { day: null, events: [] };
    const first = this.postingRound++ === 0;
    if (this.random() >= BEHAVIOUR.complaints[first ? 0 : 1]) return { day: null, events: [] };
    const day = this.after(today, 1);
    const count = intBetween(this.random, 1, 3);
    if (asHouseholds) {
      const complaints = this.plannedComplaints(count);
      this.complaints = complaints;
      return {
        day,
        events: [],
        households: [{ op: 'complain', actor: this.actor(householdRole(spec, 'complain')), complaints }],
      };
    }
    this.openComplaints += count;
    const events = Array.from({ length: count }, () =>
      this.event(spec, step, 'COMPLAINT_FILED', day, {
        householdRef: `${this.unit.code}-H${String(intBetween(this.random, 1, Math.max(1, this.households.count))).padStart(3, '0')}`,
        summary: COMPLAINTS[intBetween(this.random, 0, COMPLAINTS.length - 1)],
      }),
    );
    return { day, events };
  }

  /** Complaints about distinct households of the list, each with the re-check's outcome decided now. */
  private plannedComplaints(count: number): PlannedComplaint[] {
    const codes = shuffled(
      this.random,
      this.list.map((h) => h.code),
    ).slice(0, count);
    return codes.map((code) => {
      const upheld = this.random() < BEHAVIOUR.complaintUpheld;
      const household = this.list.find((h) => h.code === code) as SimulatedHousehold;
      const complaint: PlannedComplaint = {
        code,
        summary: COMPLAINTS[intBetween(this.random, 0, COMPLAINTS.length - 1)],
        outcome: upheld ? 'upheld' : 'dismissed',
        note: upheld
          ? 'Phúc tra: thông tin hộ chưa chính xác, đã rà soát lại'
          : 'Phúc tra: kết quả rà soát đúng quy định, giữ nguyên',
      };
      if (upheld && this.ctx.survey) {
        const target =
          household.expected === 'poor' ? 'near_poor' : household.expected === 'near_poor' ? 'not_poor' : 'near_poor';
        const answers = answersFor(this.random, target, household.area, this.ctx.survey);
        complaint.survey = {
          code,
          incomePerCapitaMonthly: answers.incomePerCapitaMonthly,
          deprivations: answers.deprivations,
        };
      }
      return complaint;
    });
  }

  /** The re-check (phúc tra): complaints resolved (on the household records, or counted), then its completion. */
  private planRecheck(spec: StepSpec, today: string, fresh: boolean): Plan {
    // A late village's re-check always overruns its deadline (reminders, overdue, escalations).
    const slow = this.random() < BEHAVIOUR.slowRecheck || this.pace === 'late';
    const days = fresh
      ? slow
        ? intBetween(this.random, ...(this.pace === 'late' ? BEHAVIOUR.lateRecheckDays : BEHAVIOUR.slowRecheckDays))
        : this.days('recheck')
      : intBetween(this.random, 1, 2);
    const day = this.after(today, days);
    if (this.gated && opens(spec, 'recheck')) {
      const complaints = this.complaints;
      this.complaints = [];
      let changed = 0;
      for (const c of complaints) {
        if (!c.survey || !this.ctx.survey) continue;
        const household = this.list.find((h) => h.code === c.code) as SimulatedHousehold;
        household.incomePerCapitaMonthly = c.survey.incomePerCapitaMonthly;
        household.deprivations = [...c.survey.deprivations];
        const expected = expectedClass(
          household.incomePerCapitaMonthly,
          household.deprivations,
          household.area,
          this.ctx.survey,
        );
        if (expected !== household.expected) changed++;
        household.expected = expected;
      }
      this.classificationsChanged += changed;
      this.recount();
      return {
        day,
        households:
          complaints.length > 0
            ? [{ op: 'recheck', actor: this.actor(householdRole(spec, 'recheck')), complaints }]
            : [],
        events: [
          this.event(spec, 'recheck', 'RECHECK_COMPLETED', day, {
            complaintsResolved: complaints.length,
            classificationsChanged: changed,
          }),
        ],
      };
    }
    const resolved = this.openComplaints;
    this.openComplaints = 0;
    return {
      day,
      events: [
        this.event(spec, 'recheck', 'RECHECK_COMPLETED', day, {
          complaintsResolved: resolved,
          classificationsChanged: intBetween(this.random, 0, resolved),
        }),
      ],
    };
  }

  private planSurvey(spec: StepSpec, today: string, fresh: boolean): Plan {
    const h = this.households;
    let days: number;
    let incomplete = false;
    if (fresh) {
      this.surveyRound++;
      // A re-survey after the meeting covers only the disputed households: quicker.
      days =
        this.surveyRound === 1
          ? this.days('survey')
          : Math.max(1, Math.round(intBetween(this.random, 2, 6) * this.factor));
      incomplete = this.surveyRound === 1 && h.count > 0 && this.random() < BEHAVIOUR.incompleteSurvey;
    } else {
      days = intBetween(this.random, 1, 3);
    }
    const day = this.after(today, days);
    const missed = incomplete ? intBetween(this.random, 1, Math.min(3, h.count)) : 0;
    const surveyed = h.count - missed;
    const households: HouseholdAction[] = [];
    if (this.gated && opens(spec, 'survey') && this.list.length > 0) {
      // The first round surveys the list (a forgotten household or three on an incomplete first
      // try); a later one the disputed households again, or, after a refused completion, all.
      const items = this.list.slice(0, this.list.length - missed).map(surveyAnswers);
      households.push({ op: 'survey', actor: this.actor(householdRole(spec, 'survey')), surveys: items });
    }
    return {
      day,
      households,
      events: [
        this.event(spec, 'survey', 'SURVEY_COMPLETED', day, {
          householdsSurveyed: surveyed,
          poorCount: Math.min(h.poor, surveyed),
          nearPoorCount: Math.min(h.nearPoor, Math.max(0, surveyed - h.poor)),
          quickIdentified: h.requests,
        }),
      ],
    };
  }

  private planMeeting(spec: StepSpec, today: string, fresh: boolean): Plan {
    let days: number;
    if (fresh) {
      this.meetingRound++;
      this.meetingAttempt = 1;
      days =
        this.meetingRound === 1
          ? this.days('meeting')
          : Math.max(1, Math.round(intBetween(this.random, 2, 5) * this.factor));
    } else {
      this.meetingAttempt++;
      days = Math.max(1, Math.round(intBetween(this.random, 3, 6) * this.factor));
    }
    // Versions before the correction of the meeting rule (QĐ 24/2021 Art. 4) also counted the
    // opinions given against an invented quorum; corrected ones take, per meeting, the households
    // under the agreement share and the smallest number agreeing with a household (or, on the
    // household records, each household's votes).
    const fields = this.ctx.definition.events.MEETING_HELD?.fields ?? {};
    const quorum = 'opinionsGiven' in fields;
    const ratio = numericParam(this.ctx.definition, 'meetingOpinionRatio', 0.5);
    const invalid = quorum && this.random() < BEHAVIOUR.invalidMeeting[this.meetingAttempt === 1 ? 0 : 1];
    const resurvey =
      !invalid && this.households.count > 0 && this.random() < BEHAVIOUR.resurvey[this.meetingRound === 1 ? 0 : 1];
    const attendees = intBetween(this.random, 25, 120);
    const opinionsGiven = !quorum
      ? undefined
      : invalid
        ? Math.max(0, Math.floor(attendees * ratio) - intBetween(this.random, 1, 10))
        : Math.min(attendees, Math.ceil(attendees * Math.min(1, between(this.random, ratio + 0.05, ratio + 0.45))));
    const put = this.households.count;
    const below = resurvey ? intBetween(this.random, 1, Math.min(3, put)) : 0;
    const agreed = put - below;
    const agreement = 'lowestAgreeing' in fields ? this.meetingAgreement(attendees, resurvey) : {};
    const day = this.after(today, days);
    const households: HouseholdAction[] = [];
    if (this.gated && opens(spec, 'vote') && this.list.length > 0) {
      // Each household: agreeing out of those present; the definition's share (≥ 50%, QĐ 24/2021/QĐ-TTg Art. 4, step 3) passes.
      const disputed = new Set(
        shuffled(
          this.random,
          this.list.map((h) => h.code),
        ).slice(0, below),
      );
      const share = numericParam(this.ctx.definition, 'householdAgreementRatio', 0.5);
      const needed = Math.ceil(attendees * share);
      const votes = this.list.map((h) => ({
        code: h.code,
        present: attendees,
        agree: disputed.has(h.code)
          ? Math.max(0, needed - intBetween(this.random, 1, Math.max(1, Math.ceil(attendees / 4))))
          : Math.min(attendees, Math.max(needed, Math.ceil(attendees * between(this.random, share + 0.05, 1)))),
      }));
      households.push({ op: 'vote', actor: this.actor(householdRole(spec, 'vote')), meetingDate: day, votes });
    }
    const front = this.random() < BEHAVIOUR.frontAttends;
    return {
      day,
      households,
      events: [
        this.event(spec, 'meeting', 'MEETING_HELD', day, {
          date: day,
          chair: `Trưởng ${this.unit.name}`,
          attendees,
          ...(opinionsGiven === undefined ? {} : { opinionsGiven }),
          householdsPut: put,
          householdsAgreed: agreed,
          householdsBelowHalf: put - agreed,
          ...agreement,
          minutesRef: `BB-${this.unit.code}-${this.meetingRound}.${this.meetingAttempt}`,
          frontAttended: front,
          ...(front ? { frontRepresentative: `Đại diện Ủy ban MTTQ Việt Nam xã ${this.unit.communeCode}` } : {}),
        }),
      ],
    };
  }

  /** The poor and near-poor counts the village reports, from its list once re-checks changed it. */
  private recount(): void {
    if (!this.ctx.survey) return;
    this.households.poor = this.list.filter((h) => h.expected === 'poor').length;
    this.households.nearPoor = this.list.filter((h) => h.expected === 'near_poor').length;
  }

  /**
   * The smallest number of attendees agreeing with a household: under the definition's agreement
   * share (at least 50% of those attending) when some household goes back to survey, else at or above it.
   */
  private meetingAgreement(attendees: number, resurvey: boolean): { lowestAgreeing: number } {
    const needed = Math.ceil(attendees * numericParam(this.ctx.definition, 'householdAgreementRatio', 0.5));
    return {
      lowestAgreeing: resurvey
        ? needed - intBetween(this.random, 1, Math.min(5, needed))
        : intBetween(this.random, needed, attendees),
    };
  }

  /** Working days for a step: the base × the village's factor, ±30 %; a late village's stuck step takes weeks more. */
  private days(step: string): number {
    let d = (BEHAVIOUR.baseDays[step] ?? BEHAVIOUR.defaultDays) * this.factor * between(this.random, 0.7, 1.3);
    if (step === this.stuckStep && this.stuckLeft > 0) {
      d += this.stuckLeft;
      this.stuckLeft = 0;
    }
    return Math.max(1, Math.round(d));
  }

  private after(today: string, workingDays: number): string {
    return this.ctx.calendar.addWorkingDays(today, workingDays);
  }

  private has(spec: StepSpec, type: string): boolean {
    return type in spec.on && type in this.ctx.definition.events;
  }

  /** An event with its payload (known fields from the village's figures, others filled from their form) and actor. */
  private event(
    spec: StepSpec,
    step: string,
    type: string,
    day: string,
    values: Record<string, unknown>,
  ): PlannedEvent {
    const event = this.ctx.definition.events[type];
    const role = actorRole(spec, event);
    const data = fillPayload(event, { ...this.knownValues(day, event), ...values }, this.random);
    return { type, data, actor: this.actor(role), idempotencyKey: `sim:${this.unit.code}:${++this.sent}`, step };
  }

  /** The village's figures by field name (fields of other definitions included); numbers are drawn only for fields the event has. */
  private knownValues(day: string, event: EventSpec): Record<string, unknown> {
    const h = this.households;
    const values: Record<string, unknown> = {
      householdCount: h.count,
      fromPreviousLists: h.previous,
      newlyArising: h.newlyArising,
      requests: h.requests,
      householdsSurveyed: h.count,
      poorCount: h.poor,
      nearPoorCount: h.nearPoor,
      escapedPovertyCount: h.escapedPoor,
      escapedNearPovertyCount: h.escapedNearPoor,
      date: day,
      decisionDate: day,
      agreed: true,
      checkingUnit: `Tổ kiểm tra chéo xã ${this.unit.communeCode}`,
      householdsSampled: Math.max(1, Math.min(h.count, 10)),
      householdsChecked: Math.max(1, Math.min(h.count, 10)),
      householdsCorrected: 0,
      discrepanciesFound: 0,
    };
    if ('decisionNumber' in event.fields) values.decisionNumber = `${intBetween(this.random, 100, 999)}/QĐ-UBND`;
    if ('opinionRef' in event.fields) values.opinionRef = `${intBetween(this.random, 100, 999)}/UBND-KGVX`;
    if ('reportRef' in event.fields)
      values.reportRef = `${++this.reports}-${this.unit.communeCode}/BC-UBND-${this.ctx.year}`;
    return values;
  }

  private actor(role: string): Actor {
    const level = this.ctx.definition.roles[role]?.level ?? 'village';
    const u = this.unit;
    const unit =
      level === 'village'
        ? u.code
        : level === 'commune'
          ? u.communeCode
          : level === 'district'
            ? (u.districtCode ?? u.provinceCode)
            : level === 'province'
              ? u.provinceCode
              : 'VN';
    return { sub: `sim-${role}-${unit}`, role: role as UserRole, unit };
  }
}

/** Assigns paces: a seeded shuffle makes `share.late` of the villages late (at least one) and `share.early` early. */
export function assignPaces(count: number, seed: number): Pace[] {
  const random = mulberry32(deriveSeed(seed, 'paces'));
  const late = count === 0 ? 0 : Math.max(1, Math.round(count * BEHAVIOUR.share.late));
  const early = Math.round(count * BEHAVIOUR.share.early);
  const paces: Pace[] = new Array(count).fill('typical');
  const order = shuffled(
    random,
    Array.from({ length: count }, (_, i) => i),
  );
  order.slice(0, late).forEach((i) => (paces[i] = 'late'));
  order.slice(late, late + early).forEach((i) => (paces[i] = 'early'));
  return paces;
}

/** The process this model plays: the periodic review, or a province definition extending it. */
export function isPeriodicReview(definition: Pick<Definition, 'id' | 'extends'>): boolean {
  return definition.id === 'periodic-review' || (definition.extends ?? '').startsWith('periodic-review@');
}

/**
 * The first step whose transitions depend on the village's household records (household
 * guards, `households.…` paths): such a definition needs households imported, surveyed and
 * voted on through the household API, which this model does not drive. Null when none does.
 */
export function householdGatedStep(definition: Definition): string | null {
  for (const { id, step } of allSteps(definition)) {
    const transitions = [...Object.values(step.on), ...(step.onDone ? [step.onDone] : [])].flatMap(asList);
    for (const { guard } of transitions) {
      if (!guard) continue;
      const name = typeof guard === 'string' ? guard : 'name' in guard ? guard.name : null;
      if ((name && HOUSEHOLD_GUARDS.has(name)) || JSON.stringify(guard).includes('households.')) return id;
    }
  }
  return null;
}

/**
 * Events that move a case out of `step` and that a person sends (not the step's own onDue,
 * which the deadline sends): the village's work in that step, in the definition's order.
 */
export function progressEvents(spec: StepSpec, step: string, definition: Definition): string[] {
  return Object.entries(spec.on)
    .filter(
      ([type]) => type !== spec.deadline?.onDue && (definition.events[type]?.roles ?? []).some((r) => r !== 'system'),
    )
    .filter(([, transitions]) => asList(transitions).some((t) => t.target !== undefined && t.target !== step))
    .map(([type]) => type);
}

function asList(t: string | TransitionSpec | TransitionSpec[]): TransitionSpec[] {
  if (typeof t === 'string') return [{ target: t } as TransitionSpec];
  return Array.isArray(t) ? t : [t];
}

/** The step's own role when it may send the event, otherwise the first person role the event allows. */
function actorRole(spec: StepSpec, event: EventSpec): string {
  if (spec.role && event.roles.includes(spec.role)) return spec.role;
  return event.roles.find((r) => r !== 'system') ?? 'system';
}

/** Whether the step opens a household operation. */
function opens(spec: StepSpec, operation: HouseholdOperation): boolean {
  return spec.households?.operations?.includes(operation) ?? false;
}

/**
 * Who carries out a household operation (libs/engine's HOUSEHOLD_OPERATION_ROLES): the step's
 * role when it may, else the village board, else the commune committee (re-checks).
 */
function householdRole(spec: StepSpec, operation: HouseholdOperation): string {
  const roles = HOUSEHOLD_OPERATION_ROLES[operation];
  if (spec.role && roles.includes(spec.role)) return spec.role;
  return roles[0];
}

/** The roles the engine lets carry out each household operation (libs/engine/src/households/household-access.ts). */
export const HOUSEHOLD_OPERATION_ROLES: Readonly<Record<HouseholdOperation, readonly string[]>> = {
  import: ['village_board', 'commune_committee'],
  edit: ['village_board', 'commune_committee'],
  survey: ['surveyor', 'village_board', 'commune_committee'],
  vote: ['village_board'],
  complain: ['village_board', 'commune_committee'],
  recheck: ['commune_committee'],
  certify: ['commune_committee', 'commune_chairman'],
};

function numericParam(definition: Definition, name: string, fallback: number): number {
  const value = definition.parameters[name]?.value;
  return typeof value === 'number' ? value : fallback;
}

/**
 * A payload with exactly the event's declared fields: known values where the model has one,
 * otherwise a plausible value of the field's type (counts of problems such as discrepancies
 * are 0, other counts 1). Optional fields without a known value are left out.
 */
export function fillPayload(event: EventSpec, known: Record<string, unknown>, random: Random): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(event.fields)) {
    if (name in known) out[name] = fit(field, known[name]);
    else if (field.required) out[name] = generic(name, field, known, random);
  }
  return out;
}

function fit(field: FieldSpec, value: unknown): unknown {
  if (field.type === 'string' && typeof value === 'string' && field.maxLength !== undefined)
    return value.slice(0, field.maxLength);
  return value;
}

function generic(name: string, field: FieldSpec, known: Record<string, unknown>, random: Random): unknown {
  switch (field.type) {
    case 'integer':
    case 'number': {
      const problem = /discrepanc|changed|invalid|reject|error|fail|complain/i.test(name);
      const value = problem ? 0 : 1;
      return Math.min(field.max ?? Number.POSITIVE_INFINITY, Math.max(field.min ?? 0, value));
    }
    case 'boolean':
      return true;
    case 'date':
      return known.date;
    case 'enum':
      return field.values[0];
    case 'string-list':
      return [];
    case 'list':
      return Array.from({ length: field.minItems ?? 0 }, () =>
        Object.fromEntries(
          Object.entries(field.items)
            .filter(([, f]) => f.required)
            .map(([n, f]) => [n, generic(n, f, known, random)]),
        ),
      );
    case 'string': {
      const text = `mô phỏng ${name} ${intBetween(random, 1, 999)}`;
      return text.padEnd(field.minLength ?? 1, '.').slice(0, field.maxLength ?? text.length);
    }
  }
}
