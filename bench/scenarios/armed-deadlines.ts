import { notMeasuredYet } from '../lib/report';
import type { Scenario } from './scenario';

/** Placeholder: Redis memory with 1,000,000 armed deadlines (delayed jobs). */
export const armedDeadlines: Scenario = {
  name: 'armed-deadlines',
  title: '1,000,000 armed deadlines',
  placeholder: true,
  async run() {
    return [notMeasuredYet('armed-deadlines', 'deadlines.redisMemory', '8. 1,000,000 armed deadlines: Redis memory', 'MB', { op: '<=', value: 100, unit: 'MB' }, 'not measured yet (later work)')];
  },
};
