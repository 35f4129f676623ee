import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../lib/ingest/s3-client';
import { makeTempDir } from './files';

// The S3 server of the tests: s3rver, a real S3-compatible HTTP server
// (ListObjectsV2 with start-after and continuation tokens, ranged GETs,
// ETags, its errors), started in a child process on 127.0.0.1 and a free
// port, its objects in a scratch folder. Never a mocked client.

export interface S3TestServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** A client of logmon's own making (createS3Client, path-style), with the test processes' fake key. */
  client: S3Client;
  /** Store an object (gzip-compressed first when `gzip`; `contentEncoding` sets that header). */
  put: (bucket: string, key: string, body: string | Buffer, options?: { gzip?: boolean; contentEncoding?: string }) => Promise<void>;
  remove: (bucket: string, key: string) => Promise<void>;
  createBucket: (bucket: string) => Promise<void>;
  stop: () => Promise<void>;
}

const CHILD = path.join(__dirname, 's3-server-child.cjs');

function waitForPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening: ${err}`)));
  });
}

/**
 * Start s3rver with `buckets` created.
 *
 * @example
 *   const s3 = await startS3Server(['logs']);
 *   await s3.put('logs', 'app/web-1/a.log', '2026-11-23 10:00:00 [ERROR] x\n');
 */
export async function startS3Server(buckets: readonly string[]): Promise<S3TestServer> {
  const dir = makeTempDir('logmon-s3-');
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, dir, ...buckets], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await waitForPort(child);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createS3Client({ forcePathStyle: true, endpoint });
  return {
    endpoint,
    client,
    put: async (bucket, key, body, options = {}) => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: options.gzip ? zlib.gzipSync(bytes) : bytes,
          ...(options.contentEncoding ? { ContentEncoding: options.contentEncoding } : {}),
        }),
      );
    },
    remove: async (bucket, key) => {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    createBucket: async (bucket) => {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    },
    stop: async () => {
      client.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An HTTP proxy in front of the S3 server that answers as S3 does when it
 * throttles (HTTP 503 `SlowDown`) while `throttling` is on, and forwards
 * every request otherwise; `requests` counts what reached it.
 */
export interface ThrottlingProxy {
  endpoint: string;
  throttling: boolean;
  requests: number;
  stop: () => Promise<void>;
}

export async function startThrottlingProxy(target: string): Promise<ThrottlingProxy> {
  const to = new URL(target);
  const state = { throttling: true, requests: 0 };
  const server = http.createServer((req, res) => {
    state.requests += 1;
    if (state.throttling) {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return;
    }
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
