/**
 * The data a case carries between steps. Everything in it is plain JSON so that it can be
 * persisted as is and read back through `CaseSnapshotSchema`.
 */
export interface CaseContext {
  /** The last accepted payload of each event type, e.g. `data.MEETING_HELD.attendees`. */
  data: Record<string, Record<string, unknown>>;
  /** Named counters changed by actions, e.g. `counters.openComplaints`. */
  counters: Record<string, number>;
  /** ISO instants of milestones: `<step>` when the step was last entered, plus named ones. */
  milestones: Record<string, string>;
}

export function emptyCaseContext(): CaseContext {
  return { data: {}, counters: {}, milestones: {} };
}

/**
 * Facts about a case's household list, computed by the adapter from its tables when a guard
 * needs them (`households.surveyed`, …). Not persisted in the snapshot: always read fresh.
 */
export interface HouseholdFacts {
  /** Households on the review list. */
  total: number;
  /** With survey answers recorded (and so classified). */
  surveyed: number;
  unsurveyed: number;
  poor: number;
  nearPoor: number;
  /** Households put to the residents' meeting (votes recorded). */
  voted: number;
  /** Smallest share of agreement among voted households (1 when none voted). */
  minAgreement: number;
  /** Voted households whose agreement share is under one half. */
  belowHalfAgreement: number;
  complaints: number;
  openComplaints: number;
}

export const HOUSEHOLD_FACT_NAMES: readonly (keyof HouseholdFacts)[] = [
  'total',
  'surveyed',
  'unsurveyed',
  'poor',
  'nearPoor',
  'voted',
  'minAgreement',
  'belowHalfAgreement',
  'complaints',
  'openComplaints',
];

/** Operand roots a guard may read: the incoming event, earlier data, counters, milestones, household facts. */
export const OPERAND_ROOTS = ['event', 'data', 'counters', 'milestones', 'households'] as const;
export type OperandRoot = (typeof OPERAND_ROOTS)[number];

/** Reads `event.x`, `data.EVENT.x`, `counters.x`, `milestones.x` or `households.x`; undefined when absent. */
export function readPath(
  path: string,
  context: CaseContext,
  eventData: Record<string, unknown>,
  facts?: HouseholdFacts,
): unknown {
  const [root, ...rest] = path.split('.');
  let value: unknown =
    root === 'event'
      ? eventData
      : root === 'data'
        ? context.data
        : root === 'counters'
          ? context.counters
          : root === 'milestones'
            ? context.milestones
            : root === 'households'
              ? facts
              : undefined;
  for (const key of rest) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  // Counters that were never touched read as zero, which is what "no open complaints" means.
  if (root === 'counters' && value === undefined && rest.length === 1) return 0;
  return value;
}
