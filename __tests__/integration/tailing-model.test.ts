/**
 * Model-based test of tailing, after Vector's file-watcher experiments:
 * random (seeded) sequences of write / partial write / continuation line /
 * rename rotation / reopen / copytruncate / truncate / delete / pause /
 * ingest run are applied to real files and, at the same time, to a simple
 * model; after every ingest run the database must hold exactly what the
 * model says, and the anomalies must record exactly the bytes the model
 * says were seen but lost.
 *
 * The model reads whole files as byte strings, line by line, with the rules
 * of docs/log-format.md and docs/tailing.md; it knows nothing of batches,
 * chunks, COPY or SQL. Where loss is legitimate is marked `LOSS:` below:
 * bytes are only ever lost by truncate, copytruncate or delete (or a third
 * rotation) before a run consumed them — written and removed between two
 * runs. Bytes a run had seen but not consumed (a held entry, a partial line)
 * are recorded as anomalies; bytes no run saw cannot be.
 *
 * Replay a failure with the seed it prints: LOGMON_TEST_SEED=<seed>.
 */
import fs from 'node:fs';
import { LOSS_KINDS } from '../../lib/ingest/ingest';
import { IngestFixture } from '../support/ingest-fixture';
import { baseSeed, withSeed } from '../support/random';
import type { Random } from '../support/random';

const SEQUENCES = Number(process.env.LOGMON_MODEL_SEQUENCES ?? 30);
const STEPS = 40;
const MAX_LINE = 256;
const MARKER = ` …[line truncated at ${MAX_LINE} bytes]`;
const FLUSH_MS = 10 * 60 * 1000;
const FINGERPRINT = 1024;
/** Headers as the generator writes them; blanks after `]` are not part of the message. */
// The rest of an entry cut right after its date (a partial write, the file truncated before the rest came) starts
// with a time of day and a level: logmon reads that as an entry too (the generic rule, docs/log-format.md).
const HEADER = /^(?:2026-11-23 )?10:\d\d:\d\d \[(ERROR|INFO)\][ \t]*(.*)$/s;
/** A line cut short (at eof) may keep a valid timestamp without its level: an entry without a level (never stored, docs/log-format.md). */
const TIMESTAMP = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d/;

/** A file (an inode): what was written to it, and when (in clock jumps) it last changed. */
interface ModelFile {
  id: number;
  content: Buffer;
  modJumps: number;
}

/** What the model expects the ingester to remember about one file. */
interface Track {
  file: ModelFile;
  status: 'active' | 'rotated';
  offset: number;
  skipping: boolean;
  sizeSeen: number;
  /** The bytes before the checkpoint (at most FINGERPRINT of them). */
  prefix: Buffer;
  /** Clock jumps when the held entry was first held, or null. */
  heldSinceJumps: number | null;
}

/** The reference: the files, and what the database must hold. */
class Model {
  public readonly names = new Map<string, ModelFile>();
  public tracks: Track[] = [];
  public readonly stored: string[] = [];
  /** Bytes recorded as lost (anomalies of LOSS_KINDS). */
  public lostBytes = 0;
  public unparseableBytes = 0;
  public truncatedBytes = 0;
  public jumps = 0;
  private nextId = 0;

  public constructor(public readonly flushMs: number) {}

  public create(name: string): ModelFile {
    const file: ModelFile = { id: (this.nextId += 1), content: Buffer.alloc(0), modJumps: this.jumps };
    this.names.set(name, file);
    return file;
  }

  public append(file: ModelFile, bytes: Buffer): void {
    file.content = Buffer.concat([file.content, bytes]);
    file.modJumps = this.jumps;
  }

  public hasName(file: ModelFile): boolean {
    for (const f of this.names.values()) if (f === file) return true;
    return false;
  }

  /** One ingest run, as docs/tailing.md describes it. */
  public ingest(): void {
    const current = this.names.get('app.log');
    const live: Track[] = [];
    if (current) {
      let track = this.tracks.find((t) => t.file === current);
      if (!track) {
        track = { file: current, status: 'active', offset: 0, skipping: false, sizeSeen: 0, prefix: Buffer.alloc(0), heldSinceJumps: null };
      }
      track.status = 'active';
      live.push(track);
    }
    for (const track of this.tracks) {
      if (track.file === current) continue;
      if (this.hasName(track.file)) {
        // found by identity under another name: read to its end, first
        track.status = 'rotated';
        live.unshift(track);
      } else {
        // LOSS: a file deleted (or renamed over) before its last bytes were consumed
        this.lostBytes += Math.max(0, track.sizeSeen - track.offset);
      }
    }
    this.tracks = live.filter((t) => this.read(t));
  }

  /** Read one file from its checkpoint; false when its checkpoint is retired. */
  private read(t: Track): boolean {
    const content = t.file.content;
    const size = content.length;
    const quiet = this.flushMs === 0 || this.jumps > t.file.modJumps;
    if (size < t.offset || !content.subarray(0, t.prefix.length).equals(t.prefix)) {
      // LOSS: truncate or copytruncate; what was seen and not consumed is recorded
      this.lostBytes += Math.max(0, t.sizeSeen - t.offset);
      if (t.status === 'rotated') return false;
      t.offset = 0;
      t.skipping = false;
      t.heldSinceJumps = null;
      t.prefix = Buffer.alloc(0);
    } else if (size < t.sizeSeen) {
      // LOSS: cut after the checkpoint (truncated while nothing was consumed)
      this.lostBytes += t.sizeSeen - size;
    }
    const start = t.offset;
    let pos = start;
    let pending: { start: number; kind: 'keep' | 'skip' | 'bad'; message: string; truncated: number; bytes: number } | null = null;
    // blank lines since the pending entry's last line: kept in its message when a continuation line follows
    let blanks = 0;
    const finish = (): void => {
      if (pending?.kind === 'keep') this.stored.push(pending.message);
      if (pending?.kind === 'bad') this.unparseableBytes += pending.bytes;
      if (pending) this.truncatedBytes += pending.truncated;
      pending = null;
    };
    if (t.skipping) {
      const nl = content.indexOf(0x0a, pos);
      const end = nl === -1 ? size : nl + 1;
      this.truncatedBytes += end - pos;
      pos = end;
      t.skipping = nl === -1;
    }
    while (pos < size) {
      const nl = content.indexOf(0x0a, pos);
      let lineEnd = nl;
      let next = nl + 1;
      if (nl === -1) {
        // Already longer than the limit (no `\r` is ever written here): cut now, skip the rest later.
        if (size - pos > MAX_LINE) t.skipping = true;
        else if (!(t.status === 'rotated' && quiet)) break;
        lineEnd = size;
        next = size;
      }
      const long = lineEnd - pos > MAX_LINE;
      const text = content.toString('latin1', pos, long ? pos + MAX_LINE : lineEnd) + (long ? MARKER : '');
      const dropped = long ? next - (pos + MAX_LINE) : 0;
      const kept = next - pos - dropped;
      const header = HEADER.exec(text);
      if (!long && /^[ \t]*$/.test(text)) {
        // blank: counted apart, does not end an entry, stored only inside one
        blanks += 1;
      } else if (header || TIMESTAMP.test(text)) {
        blanks = 0;
        finish();
        const kind = header && header[1] === 'ERROR' ? 'keep' : 'skip';
        pending = { start: pos, kind, message: header?.[2] ?? '', truncated: dropped, bytes: kept };
      } else if (pending) {
        pending.truncated += dropped;
        pending.bytes += kept;
        if (pending.kind === 'keep') pending.message += `${'\n'.repeat(blanks + 1)}${text}`;
        blanks = 0;
      } else {
        blanks = 0;
        this.unparseableBytes += kept;
        this.truncatedBytes += dropped;
      }
      pos = next;
    }
    let checkpoint = pos;
    let heldSince: number | null = null;
    if (pending !== null) {
      const p: { start: number } = pending;
      const heldBefore = t.heldSinceJumps !== null && p.start === start ? t.heldSinceJumps : null;
      if (quiet || (heldBefore !== null && this.jumps > heldBefore)) {
        finish();
      } else {
        checkpoint = p.start;
        heldSince = heldBefore ?? this.jumps;
        t.skipping = false;
      }
    }
    t.offset = checkpoint;
    t.heldSinceJumps = heldSince;
    t.sizeSeen = size;
    if (t.prefix.length < Math.min(checkpoint, FINGERPRINT)) t.prefix = Buffer.from(content.subarray(0, Math.min(checkpoint, FINGERPRINT)));
    return true;
  }
}

/** The real files, driven in step with the model. */
class World {
  public readonly model: Model;
  public readonly trace: string[] = [];
  private writerFd: number | null = null;
  private writerFile: ModelFile | null = null;
  /** The unwritten rest of an entry the writer wrote only part of. */
  private partial = Buffer.alloc(0);
  private entryId = 0;
  private jumpMs = 0;

  public constructor(
    private readonly rng: Random,
    private readonly dir: string,
    flushMs: number,
  ) {
    this.model = new Model(flushMs);
  }

  public now = (): number => Date.now() + this.jumpMs;

  private path(name: string): string {
    return `${this.dir}/${name}`;
  }

  /** mtime on the injected clock, so "quiet for MULTILINE_FLUSH_MS" follows the model's pauses. */
  private stamp(name: string): void {
    const t = this.now() / 1000;
    fs.utimesSync(this.path(name), t, t);
  }

  private reopen(): void {
    this.finishPartial();
    if (this.writerFd !== null) fs.closeSync(this.writerFd);
    const exists = this.model.names.has('app.log');
    this.writerFd = fs.openSync(this.path('app.log'), 'a');
    this.writerFile = exists ? this.model.names.get('app.log')! : this.model.create('app.log');
    if (!exists) fs.futimesSync(this.writerFd, this.now() / 1000, this.now() / 1000);
  }

  private write(bytes: Buffer): void {
    if (this.writerFd === null) this.reopen();
    fs.writeSync(this.writerFd!, bytes);
    fs.futimesSync(this.writerFd!, this.now() / 1000, this.now() / 1000);
    this.model.append(this.writerFile!, bytes);
  }

  private finishPartial(): void {
    if (this.partial.length === 0) return;
    const rest = this.partial;
    this.partial = Buffer.alloc(0);
    this.write(rest);
  }

  private entry(): Buffer {
    const id = (this.entryId += 1);
    const level = this.rng.chance(0.6) ? 'ERROR' : 'INFO';
    const long = this.rng.chance(0.1) ? ` ${'x'.repeat(this.rng.int(MAX_LINE - 40, 3 * MAX_LINE))}` : '';
    const ss = String(id % 60).padStart(2, '0');
    let text = `2026-11-23 10:${String(Math.floor(id / 60) % 60).padStart(2, '0')}:${ss} [${level}] e${id}${long}\n`;
    for (let k = this.rng.int(0, 2); k > 0; k -= 1) text += `  at e${id}.frame${k}${this.rng.chance(0.1) ? 'y'.repeat(2 * MAX_LINE) : ''}\n`;
    return Buffer.from(text, 'latin1');
  }

  private shift(): void {
    if (this.model.names.has('app.log.1')) this.rename('app.log.1', 'app.log.2');
  }

  private rename(from: string, to: string): void {
    fs.renameSync(this.path(from), this.path(to));
    const file = this.model.names.get(from)!;
    this.model.names.delete(from);
    this.model.names.set(to, file);
  }

  /** One random action; returns what it did ('ingest' for a run, which the caller performs). */
  public step(): string {
    const { rng, model } = this;
    const roll = rng.int(1, 100);
    if (roll <= 30) {
      this.finishPartial();
      for (let n = rng.int(1, 3); n > 0; n -= 1) this.write(this.entry());
      return 'write';
    }
    if (roll <= 40) {
      this.finishPartial();
      const bytes = this.entry();
      const cut = rng.int(1, bytes.length - 1);
      this.write(bytes.subarray(0, cut));
      this.partial = Buffer.from(bytes.subarray(cut));
      return `partial write (${cut}/${bytes.length})`;
    }
    if (roll <= 46) {
      this.finishPartial();
      this.write(Buffer.from(`  late continuation ${this.entryId}\n`));
      return 'continuation line';
    }
    if (roll <= 53) {
      if (!model.names.has('app.log')) return 'rotate (nothing to rotate)';
      // logrotate `create`: the writer keeps its descriptor (and may finish a line in the old file)
      this.shift();
      this.rename('app.log', 'app.log.1');
      fs.closeSync(fs.openSync(this.path('app.log'), 'a'));
      model.create('app.log');
      this.stamp('app.log');
      if (rng.chance(0.5)) this.reopen();
      return 'rename rotation';
    }
    if (roll <= 57) {
      this.reopen();
      return 'writer reopens app.log';
    }
    if (roll <= 62) {
      if (!model.names.has('app.log')) return 'copytruncate (no file)';
      // The writer finishes its line first: a line cut by the truncation would just be more garbage.
      this.finishPartial();
      this.shift();
      fs.copyFileSync(this.path('app.log'), this.path('app.log.1'));
      const copy = model.create('app.log.1');
      model.append(copy, model.names.get('app.log')!.content);
      this.stamp('app.log.1');
      fs.truncateSync(this.path('app.log'), 0);
      const file = model.names.get('app.log')!;
      file.content = Buffer.alloc(0);
      file.modJumps = model.jumps;
      this.stamp('app.log');
      return 'copytruncate';
    }
    if (roll <= 66) {
      if (!model.names.has('app.log')) return 'truncate (no file)';
      this.finishPartial();
      fs.truncateSync(this.path('app.log'), 0);
      const file = model.names.get('app.log')!;
      file.content = Buffer.alloc(0);
      file.modJumps = model.jumps;
      this.stamp('app.log');
      return 'truncate';
    }
    if (roll <= 70) {
      const name = rng.pick(['app.log', 'app.log.1', 'app.log.2']);
      if (!model.names.has(name)) return `delete ${name} (none)`;
      this.finishPartial();
      fs.unlinkSync(this.path(name));
      model.names.delete(name);
      return `delete ${name}`;
    }
    if (roll <= 78) {
      this.jumpMs += FLUSH_MS + 1;
      model.jumps += 1;
      return 'pause';
    }
    return 'ingest';
  }

  /** The writer finishes its line and the files go quiet: everything left can be read. */
  public settle(): void {
    this.finishPartial();
    this.jumpMs += FLUSH_MS + 1;
    this.model.jumps += 1;
  }

  public close(): void {
    if (this.writerFd !== null) fs.closeSync(this.writerFd);
    this.writerFd = null;
  }
}

const fx = new IngestFixture();

beforeAll(() => fx.setUp());
afterAll(() => fx.tearDown());

describe('Model: tailing a file that is written, rotated, truncated and deleted', () => {
  it('stores exactly what the model says after every run, and records exactly the bytes it says were lost', async () => {
    const seed = baseSeed();
    for (let k = 0; k < SEQUENCES; k += 1) {
      await withSeed(seed + k, 'stores exactly what the model says after every run', async (rng) => {
        await fx.reset();
        const flushMs = rng.chance(0.5) ? 0 : FLUSH_MS;
        fx.config = { ...fx.config, maxLineBytes: MAX_LINE, multilineFlushMs: flushMs };
        const world = new World(rng, fx.dir, flushMs);
        try {
          const run = async (label: string): Promise<void> => {
            world.trace.push(label);
            await fx.ingest({ now: world.now });
            world.model.ingest();
            await expectDatabaseMatches(world.model, world.trace);
          };
          for (let i = 0; i < STEPS; i += 1) {
            const action = world.step();
            if (action === 'ingest') await run('ingest');
            else world.trace.push(action);
          }
          world.settle();
          await run('settle, ingest');
          await run('ingest');
        } finally {
          world.close();
        }
      });
    }
  });
});

async function expectDatabaseMatches(model: Model, trace: string[]): Promise<void> {
  const context = `after: ${trace.join(' → ')}`;
  const stored = (await fx.messages()).sort();
  expect({ context, stored }).toEqual({ context, stored: [...model.stored].sort() });
  const anomalies = await fx.anomalies();
  const sum = (kinds: (k: string) => boolean): number => anomalies.filter((a) => kinds(a.kind)).reduce((n, a) => n + Number(a.bytes), 0);
  expect({ context, lost: sum((k) => LOSS_KINDS.has(k)) }).toEqual({ context, lost: model.lostBytes });
  expect({ context, unparseable: sum((k) => k === 'unparseable_lines') }).toEqual({ context, unparseable: model.unparseableBytes });
  expect({ context, truncated: sum((k) => k === 'truncated_lines') }).toEqual({ context, truncated: model.truncatedBytes });
  // Nothing here rewrites a file while it is read, and every entry is valid for PostgreSQL.
  expect(anomalies.map((a) => a.kind).filter((k) => k === 'entry_rejected' || k === 'shrank_while_reading' || k === 'file_unreadable')).toEqual([]);
}
