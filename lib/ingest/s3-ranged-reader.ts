import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { normalizeEtag } from './s3-location';

/** The object under the key is not the generation being read any more (another ETag). */
export class ObjectChangedError extends Error {
  public constructor(
    public readonly etag: string,
    public readonly size: number | null,
    public readonly lastModified: Date | null,
  ) {
    super(`the object now has ETag ${etag}`);
    this.name = 'ObjectChangedError';
  }
}

/** What a GET answered, checked: the generation asked for, its total size. */
export interface ObjectResponse {
  body: Readable;
  contentEncoding: string;
  /** The object's whole size (Content-Range's total, else Content-Length). */
  totalSize: number | null;
}

/**
 * GET an object (a byte range of it when `range` is given) and check that
 * it is still the generation `etag` names; ObjectChangedError otherwise.
 */
export async function getObject(s3: S3Client, bucket: string, key: string, etag: string, range?: { from: number; to: number }): Promise<ObjectResponse> {
  let out: GetObjectCommandOutput;
  try {
    out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: `bytes=${range.from}-${range.to}` } : {}) }));
  } catch (err) {
    // a range past the end (HTTP 416) is what a shorter new generation answers first: its ETag tells
    if ((err as { name?: unknown }).name !== 'InvalidRange') throw err;
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const now = normalizeEtag(head.ETag);
    if (now !== '' && now !== etag) throw new ObjectChangedError(now, head.ContentLength ?? null, head.LastModified ?? null);
    throw err;
  }
  const body = out.Body as Readable | undefined;
  const totalText = out.ContentRange?.split('/')[1];
  const totalSize = totalText !== undefined && totalText !== '*' ? Number(totalText) : (out.ContentLength ?? null);
  const got = normalizeEtag(out.ETag);
  if (got !== '' && got !== etag) {
    body?.destroy();
    throw new ObjectChangedError(got, totalSize, out.LastModified ?? null);
  }
  if (!body) throw new Error(`GET s3://${bucket}/${key} returned no body`);
  return { body, contentEncoding: out.ContentEncoding ?? '', totalSize };
}

/**
 * Reads an object's bytes in order through ranged GETs of `windowBytes`
 * each, the shape scan-loop's `readAt` asks for: a read at the position the
 * last one ended continues the open response; any other position, or the end
 * of a window, starts a new GET there. An ETag other than the checkpoint's
 * fails the read (ObjectChangedError): a batch never mixes two generations.
 */
export class RangedObjectReader {
  private body: Readable | null = null;
  private iterator: AsyncIterator<Buffer> | null = null;
  private left: Buffer = Buffer.alloc(0);
  private bodyPos = -1;
  private windowEnd = -1;
  /** The GETs issued so far. */
  public requests = 0;

  public constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    private readonly etag: string,
    private readonly size: number,
    private readonly windowBytes: number,
  ) {}

  /**
   * Continue a response already received for the bytes [from, to] (the
   * first read's, which also decided the encoding), whose iterator gave
   * `first` already.
   */
  public adopt(response: ObjectResponse, from: number, to: number, iterator?: AsyncIterator<Buffer>, first?: Buffer): void {
    this.close();
    this.body = response.body;
    this.iterator = iterator ?? response.body[Symbol.asyncIterator]();
    this.left = first ?? Buffer.alloc(0);
    this.bodyPos = from;
    this.windowEnd = to + 1;
  }

  public readAt = async (buf: Buffer, offset: number, length: number, position: number): Promise<number> => {
    if (position >= this.size || length === 0) return 0;
    if (position !== this.bodyPos || this.bodyPos >= this.windowEnd) await this.open(position);
    while (this.left.length === 0) {
      const next = await this.iterator!.next();
      if (next.done) {
        // the window ended (or the server sent less): the next window starts here
        if (this.bodyPos >= this.size) return 0;
        await this.open(this.bodyPos);
        continue;
      }
      this.left = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
    const n = Math.min(length, this.left.length);
    this.left.copy(buf, offset, 0, n);
    this.left = this.left.subarray(n);
    this.bodyPos += n;
    return n;
  };

  private async open(from: number): Promise<void> {
    this.close();
    const to = Math.min(this.size, from + this.windowBytes) - 1;
    this.requests += 1;
    this.adopt(await getObject(this.s3, this.bucket, this.key, this.etag, { from, to }), from, to);
  }

  /** Ends the open response, if any (the rest of its window is not downloaded). */
  public close(): void {
    this.body?.destroy();
    this.body = null;
    this.iterator = null;
    this.left = Buffer.alloc(0);
  }
}
