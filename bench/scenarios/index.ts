import { armedDeadlines } from './armed-deadlines';
import { deadlineStorm } from './deadline-storm';
import { httpE2e } from './http-e2e';
import { latency } from './latency';
import { memory } from './memory';
import { nationalSeason } from './national-season';
import { progress } from './progress';
import { queuedApply } from './queued-apply';
import { rawBullmq } from './raw-bullmq';
import type { Scenario } from './scenario';

/** In run order: ratios need raw-bullmq first, memory reads the peaks of the ones before it. */
export const SCENARIOS: readonly Scenario[] = [
  rawBullmq,
  queuedApply,
  httpE2e,
  latency,
  progress,
  memory,
  deadlineStorm,
  armedDeadlines,
  nationalSeason,
];

export type { Scenario } from './scenario';
