import { stepsInProcedureOrder } from './step-stage';

describe('stepsInProcedureOrder', () => {
  it('puts the steps an overlay appends where the procedure has them, final steps last', () => {
    const definition = {
      steps: {
        listing: { type: 'task', label: 'B1', stage: 1, on: {} },
        report: { type: 'task', label: 'B5', stage: 5, on: {} },
        done: { type: 'final', label: 'Xong', on: {} },
        recheck: { type: 'task', label: 'B4', stage: 4, on: {} },
        opinion: { type: 'task', label: 'B5', stage: 5, on: {} },
      },
    } as never;
    expect(stepsInProcedureOrder(definition).map(([id]) => id)).toEqual([
      'listing',
      'recheck',
      'report',
      'opinion',
      'done',
    ]);
  });
});
