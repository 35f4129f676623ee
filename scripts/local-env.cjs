// Values for the `local` stage of serverless.yml, which must be plain strings.
// DATABASE_URL wins; otherwise the URL `npm start` saved for its embedded PostgreSQL.
const fs = require('node:fs');
const path = require('node:path');

function databaseUrl() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const saved = path.join(__dirname, '..', '.data', 'database-url');
  return fs.existsSync(saved) ? fs.readFileSync(saved, 'utf8').trim() : '';
}

module.exports = { databaseUrl };
