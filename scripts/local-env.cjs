// Values for the `local` stage of serverless.yml, which must be plain strings.
// DATABASE_URL wins; otherwise the URL `npm start` saved for its embedded PostgreSQL.
const fs = require('node:fs');
const path = require('node:path');

function databaseUrl() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const saved = path.join(__dirname, '..', '.data', 'database-url');
  return fs.existsSync(saved) ? fs.readFileSync(saved, 'utf8').trim() : '';
}

/**
 * LOG_FILES, or the demo log. Relative paths are made absolute against the
 * project: `serverless invoke local` and offline run the bundle from
 * .esbuild/.build, where a relative path would point elsewhere.
 */
function logFiles() {
  const root = path.join(__dirname, '..');
  const value = process.env.LOG_FILES || 'logs/app.log';
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => path.resolve(root, p))
    .join(',');
}

module.exports = { databaseUrl, logFiles };
