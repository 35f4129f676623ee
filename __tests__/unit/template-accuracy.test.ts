import { groupingAccuracy, parseCsv } from '../../bench/template-accuracy';

describe('Function: groupingAccuracy (LogHub, Zhu et al. 2019)', () => {
  it.each([
    ['every group right', ['E1', 'E1', 'E2'], ['a', 'a', 'b'], 1],
    ['a ground-truth group split in two: its messages are wrong', ['E1', 'E1', 'E2'], ['a', 'c', 'b'], 1 / 3],
    ['two ground-truth groups merged: all their messages are wrong', ['E1', 'E1', 'E2'], ['a', 'a', 'a'], 0],
    ['labels need not match, only the sets', ['E1', 'E2', 'E2'], ['x', 'y', 'y'], 1],
  ])('%s', (_what, truth, predicted, accuracy) => {
    expect(groupingAccuracy(truth, predicted)).toBeCloseTo(accuracy);
  });
});

describe('Function: parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and new lines', () => {
    expect(parseCsv('a,b\n1,"x, ""y""\nz"\n')).toEqual([
      ['a', 'b'],
      ['1', 'x, "y"\nz'],
    ]);
  });
});
