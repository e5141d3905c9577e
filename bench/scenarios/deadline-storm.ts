import { notMeasuredYet } from '../lib/report';
import type { Scenario } from './scenario';

/** Placeholder: 80,000 deadlines due at once, all fired and their events applied. */
export const deadlineStorm: Scenario = {
  name: 'deadline-storm',
  title: 'Deadline storm',
  placeholder: true,
  async run() {
    return [notMeasuredYet('deadline-storm', 'deadlines.storm', '7. Deadline storm: 80,000 due at once, all processed', 's', { op: '<=', value: 5, unit: 's' }, 'not measured yet (later work)')];
  },
};
