import { ConfigError } from '../platform/errors';

// An S3 source's path: `s3://bucket/prefix/{host}/*.log.gz`. The bucket is
// literal; the key part is a path template like a file's (`{name}`
// placeholders set labels, `*` matches within a segment, `**` across), and a
// template ending in `/` means every key under it. ListObjectsV2 lists the
// literal prefix before the first placeholder or wildcard; keys listed that
// the template does not match are not read.

const SCHEME = 's3://';
/** S3's bucket naming rules (lower case, digits, dots and hyphens, 3–63 characters). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** One configured S3 location of a source. */
export interface S3Location {
  /** The path as configured (the listing checkpoint's key). */
  template: string;
  bucket: string;
  /** The literal part of the key before the first placeholder or wildcard: ListObjectsV2's Prefix. */
  prefix: string;
  /** The key template matched against each listed key (`prefix/` becomes `prefix/**` + `/*`). */
  keyTemplate: string;
}

/** A configured path that names S3 objects. */
export function isS3Url(p: string): boolean {
  return p.startsWith(SCHEME);
}

/** The `s3://bucket/key` name of an object: its log_sources path. */
export function objectUrl(bucket: string, key: string): string {
  return `${SCHEME}${bucket}/${key}`;
}

/** Bucket and key of an object's `s3://bucket/key` name. */
export function parseObjectUrl(url: string): { bucket: string; key: string } {
  const rest = url.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

/** The key template to match: a template ending in `/` covers every key under it. */
export function expandKeyTemplate(keyTemplate: string): string {
  return keyTemplate === '' || keyTemplate.endsWith('/') ? `${keyTemplate}**/*` : keyTemplate;
}

/**
 * Parse a configured `s3://bucket/key-template`; a ConfigError says what is wrong.
 *
 * @example
 *   parseS3Location('s3://logs/app/{host}/'); // { bucket: 'logs', prefix: 'app/', keyTemplate: 'app/{host}/**' + '/*', … }
 */
export function parseS3Location(template: string): S3Location {
  const rest = template.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (!BUCKET_NAME.test(bucket)) {
    throw new ConfigError(`"${template}": the bucket must be a literal S3 bucket name (s3://bucket/prefix/...), got "${bucket}"`, { path: template });
  }
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  const wild = key.search(/[{*?]/);
  const prefix = wild === -1 ? key : key.slice(0, wild);
  return { template, bucket, prefix, keyTemplate: expandKeyTemplate(key) };
}

/**
 * Byte order of two keys, S3's listing order (UTF-8 binary), which
 * PostgreSQL's text collation and JavaScript's `<` do not follow.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** An ETag as logmon stores it: without the quotes S3's listings and responses put around it (an S3 event's has none). */
export function normalizeEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^"(.*)"$/, '$1');
}
