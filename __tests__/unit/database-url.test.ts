import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveDatabaseUrl, withDatabaseCa } from '../../lib/platform/database-url';
import { ConfigError } from '../../lib/platform/errors';

describe("The database's private CA (DATABASE_CA_FILE)", () => {
  let dir: string;
  let ca: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logmon-ca-'));
    fs.mkdirSync(path.join(dir, 'certs'));
    ca = path.join(dir, 'certs', 'db-ca.pem');
    fs.writeFileSync(ca, 'PEM');
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds sslrootcert and sslmode=verify-full to a URL that has neither', () => {
    expect(withDatabaseCa('postgres://db.internal/logmon', { DATABASE_CA_FILE: ca })).toBe(
      `postgres://db.internal/logmon?sslrootcert=${encodeURIComponent(ca)}&sslmode=verify-full`,
    );
  });

  it("keeps the URL's own sslmode and parameters, and a URL that names its own sslrootcert as it is", () => {
    expect(withDatabaseCa('postgres://db/logmon?sslmode=verify-ca', { DATABASE_CA_FILE: ca })).toBe(
      `postgres://db/logmon?sslmode=verify-ca&sslrootcert=${encodeURIComponent(ca)}`,
    );
    expect(withDatabaseCa('postgres://db/logmon?sslrootcert=/etc/ca.pem', { DATABASE_CA_FILE: ca })).toBe('postgres://db/logmon?sslrootcert=/etc/ca.pem');
  });

  it("finds a relative path in the first folder that has it (the working folder, then the function's package)", () => {
    const url = withDatabaseCa('postgres://db/logmon', { DATABASE_CA_FILE: 'certs/db-ca.pem' }, ['/nonexistent', dir]);

    expect(url).toContain(`sslrootcert=${encodeURIComponent(ca)}`);
  });

  it('leaves the URL alone when the variable is unset or blank', () => {
    expect(withDatabaseCa('postgres://db/logmon', {})).toBe('postgres://db/logmon');
    expect(withDatabaseCa('postgres://db/logmon', { DATABASE_CA_FILE: ' ' })).toBe('postgres://db/logmon');
  });

  it('refuses a file that is not there, naming the variable and where it looked', () => {
    expect(() => withDatabaseCa('postgres://db/logmon', { DATABASE_CA_FILE: 'certs/none.pem' }, [dir])).toThrow(ConfigError);
    expect(() => withDatabaseCa('postgres://db/logmon', { DATABASE_CA_FILE: 'certs/none.pem' }, [dir])).toThrow(
      `DATABASE_CA_FILE names certs/none.pem, which does not exist (looked in ${path.join(dir, 'certs/none.pem')})`,
    );
  });

  it('applies to the URL read from SSM as to DATABASE_URL', () => {
    expect(resolveDatabaseUrl({ DATABASE_URL_PARAMETER: '/logmon/prod/db', DATABASE_CA_FILE: ca }, 'postgres://db/logmon')).toContain('sslmode=verify-full');
  });
});
