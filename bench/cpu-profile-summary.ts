// npx tsx bench/cpu-profile-summary.ts <file.cpuprofile> [top]
// Self time by function of a V8 CPU profile (from `npm run bench -- --cpu-prof dir`),
// the table docs/performance.md quotes.
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Milliseconds of self time per function, largest first, and the profile's total. */
export function summariseProfile(profile: CpuProfile): { totalMs: number; rows: { name: string; ms: number }[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const frame = byId.get(id)?.callFrame;
    const where = frame?.url ? ` ${frame.url.split('/').slice(-1)[0]}:${frame.lineNumber + 1}` : '';
    const name = `${frame?.functionName || '(anonymous)'}${where}`;
    self.set(name, (self.get(name) ?? 0) + dt);
  });
  const rows = [...self].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total / 1000, rows };
}

function main(): void {
  const [file, top = '25'] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: npx tsx bench/cpu-profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(1);
  }
  const { totalMs, rows } = summariseProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile);
  process.stdout.write(`total ${totalMs.toFixed(0)} ms\n`);
  for (const r of rows.slice(0, Number(top))) {
    process.stdout.write(`${r.ms.toFixed(1).padStart(8)} ms ${((100 * r.ms) / totalMs).toFixed(1).padStart(5)}%  ${r.name}\n`);
  }
}

if (require.main === module) main();
