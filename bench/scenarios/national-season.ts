import { notMeasuredYet } from '../lib/report';
import type { Scenario } from './scenario';

/** Placeholder: a national season, 80,000 villages in 34 provinces, start to finish. */
export const nationalSeason: Scenario = {
  name: 'national-season',
  title: 'National season',
  placeholder: true,
  async run() {
    return [notMeasuredYet('national-season', 'season.national', '9. National season: 80,000 villages in 34 provinces', 'min', { op: '<=', value: 10, unit: 'min' }, 'not measured yet (later work)')];
  },
};
