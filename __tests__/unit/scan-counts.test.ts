import { addCounts, emptyCounts, resetCounts } from '../../lib/ingest/entry-scanner';
import type { ScanCounts } from '../../lib/ingest/entry-scanner';

/** Every count set to a distinct value, so a count left out shows. */
function distinctCounts(): ScanCounts {
  const counts = emptyCounts();
  Object.keys(counts).forEach((key, i) => {
    counts[key as keyof ScanCounts] = i + 1;
  });
  return counts;
}

describe('Function: addCounts', () => {
  it('adds every count of the source and leaves other fields alone', () => {
    // Prepare
    const target = { ...distinctCounts(), path: 'a.log' };

    // Act
    addCounts(target, distinctCounts());

    // Assess
    const doubled = Object.fromEntries(Object.entries(distinctCounts()).map(([k, v]) => [k, v * 2]));
    expect(target).toEqual({ ...doubled, path: 'a.log' });
  });
});

describe('Function: resetCounts', () => {
  it('sets every count to zero and leaves other fields alone', () => {
    const counts = { ...distinctCounts(), path: 'a.log' };

    resetCounts(counts);

    expect(counts).toEqual({ ...emptyCounts(), path: 'a.log' });
  });
});
