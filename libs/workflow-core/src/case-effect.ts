import type { DeadlineSpec } from './definition.schema';

/**
 * What a transition asks the outside world to do. Plain data: adapters carry effects out in
 * the same database transaction that stores the snapshot (or through an outbox).
 */
export type CaseEffect =
  | { kind: 'deadline.arm'; step: string; deadline: ResolvedDeadline }
  | { kind: 'deadline.cancel'; step: string }
  | { kind: 'notify'; step: string; role: string; template: string }
  | { kind: 'case.completed'; step: string; outcome: string | null };

/** A step's deadline with every `{ param }` replaced by its value. */
export type ResolvedDeadline = Omit<DeadlineSpec, 'due'> & { due: ResolvedDeadlineRule };

export type ResolvedDeadlineRule =
  | { kind: 'workingDays'; days: number; from: string }
  | { kind: 'calendarDays'; days: number; from: string }
  | { kind: 'date'; date: string }
  | { kind: 'windowEnd' }
  | { kind: 'earliest'; of: ResolvedDeadlineRule[] };
