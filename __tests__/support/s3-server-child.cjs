// A real S3-compatible server (s3rver) for the tests, in a process of its own:
// s3rver 3.7 encrypts its continuation tokens with DES, which Node 17+'s
// OpenSSL 3 offers only with --openssl-legacy-provider (s3-server.ts starts
// this file so). Listens on 127.0.0.1 only; prints `port N` once up.
// Besides s3rver's own key (S3RVER), the test processes' fake key `test` is
// known; any other key is refused (InvalidAccessKeyId, HTTP 403).
const S3rver = require('s3rver');
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account');

DUMMY_ACCOUNT.createKeyPair('test', 'test');
const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: true,
  configureBuckets: buckets.map((name) => ({ name })),
});
server.run().then(
  ({ port }) => process.stdout.write(`port ${port}\n`),
  (err) => {
    process.stderr.write(`s3rver failed: ${err?.message}\n`);
    process.exit(1);
  },
);
process.on('SIGTERM', () => {
  server.close().finally(() => process.exit(0));
});
