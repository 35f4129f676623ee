import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatTemplateAccuracy, measureTemplateAccuracy } from '../../bench/template-bench';

describe('Function: measureTemplateAccuracy (npm run bench)', () => {
  it('is skipped, saying how to enable it, without BENCH_LOGHUB', () => {
    // Act
    const result = measureTemplateAccuracy(null);

    // Assess
    expect(result).toMatchObject({ status: 'skipped', average: null });
    expect(formatTemplateAccuracy(result)).toContain('skipped (BENCH_LOGHUB unset');
  });

  it('measures the stored templates on the samples of a folder, as LogHub defines them', () => {
    // Prepare: a made-up sample in LogHub's structured CSV form (no LogHub data is kept here)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-loghub-'));
    const rows = [
      'LineId,Content,EventId',
      '1,Receiving block blk_1 src: /10.0.0.1:50010,E1',
      '2,Receiving block blk_2 src: /10.0.0.2:50010,E1',
      '3,"Deleting block blk_3 file /data/blk_3",E2',
      '4,"Deleting block blk_4 file /data/blk_4",E2',
    ];
    fs.writeFileSync(path.join(dir, 'HDFS_2k.log_structured.csv'), `${rows.join('\n')}\n`);

    try {
      // Act
      const result = measureTemplateAccuracy(dir);

      // Assess
      expect(result).toMatchObject({ status: 'measured', systems: [expect.objectContaining({ system: 'HDFS', masking: 1 })] });
      expect(result.messagesPerSec).toBeGreaterThan(0);
      expect(formatTemplateAccuracy(result)).toContain('| HDFS | 1.000 |');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
