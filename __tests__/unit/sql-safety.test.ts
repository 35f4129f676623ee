// No SQL is built from data: a lint-style check over the runtime code.
// - Every `.query(…)` / `copyFrom(…)` call in lib/, sql/, handlers/ and scripts/
//   gets its SQL as a name (SQL.x, m.sql) or a plain literal: never a template
//   literal with `${…}`, a `+` concatenation or any other computed string.
// - In sql/*-statements.ts, a `${…}` may only name an UPPER_SNAKE constant of
//   the same file whose value is itself a literal (a lock key, a column list).
// Values always travel as `$n` parameters or COPY data. The alert job
// (lib/alert/, outbox publishing, rule windows, sql/alert-statements.ts)
// is covered like the rest, and a test says so.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const SCANNED_DIRS = ['lib', 'sql', 'handlers', 'scripts'];
const QUERY_CALLEES = new Set(['query', 'copyFrom', 'copyTo']);

interface Finding {
  file: string;
  line: number;
  text: string;
}

function listSources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return listSources(full);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(d.name) && !d.name.endsWith('.d.ts') && !d.name.endsWith('.d.mts') ? [full] : [];
  });
}

function calleeName(call: ts.CallExpression): string {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isIdentifier(callee)) return callee.text;
  return '';
}

/** SQL given by name or as a literal: the only shapes allowed as a query's text. */
function isSafeSqlArgument(node: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node)) return isSafeSqlArgument(node.expression);
  if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) return true;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return true;
  // client.query(copyFrom(SQL.copyEntries)): the inner call is checked on its own
  if (ts.isCallExpression(node) && QUERY_CALLEES.has(calleeName(node))) return true;
  // client.query({ text: SQL.x, values })
  if (ts.isObjectLiteralExpression(node)) {
    const text = node.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === 'text');
    return text !== undefined && isSafeSqlArgument(text.initializer);
  }
  return false;
}

/** Query calls whose SQL is computed. */
function findComputedSql(fileName: string, source: string): Finding[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const findings: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && QUERY_CALLEES.has(calleeName(node)) && node.arguments.length > 0) {
      const first = node.arguments[0]!;
      if (!isSafeSqlArgument(first)) {
        findings.push({ file: fileName, line: sf.getLineAndCharacterOfPosition(first.getStart()).line + 1, text: node.getText().slice(0, 120) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

/** In a statements file: `${…}` naming anything but a literal UPPER_SNAKE constant of the file. */
function findUnsafeInterpolations(fileName: string, source: string): Finding[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const literalConstants = new Set<string>();
  const isLiteral = (e: ts.Expression): boolean =>
    ts.isStringLiteral(e) ||
    ts.isNumericLiteral(e) ||
    ts.isNoSubstitutionTemplateLiteral(e) ||
    (ts.isTemplateExpression(e) && e.templateSpans.every((s) => ts.isIdentifier(s.expression) && literalConstants.has(s.expression.text)));
  for (const statement of sf.statements) {
    if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const d of statement.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && /^[A-Z][A-Z0-9_]*$/.test(d.name.text) && d.initializer && isLiteral(d.initializer)) literalConstants.add(d.name.text);
    }
  }
  const findings: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTemplateSpan(node) && !(ts.isIdentifier(node.expression) && literalConstants.has(node.expression.text))) {
      findings.push({ file: fileName, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.expression.getText() });
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      findings.push({ file: fileName, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.getText().slice(0, 120) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

describe('SQL safety: no SQL built from data', () => {
  describe('Function: findComputedSql (the checker itself)', () => {
    it.each([
      ['a template literal with ${}', "client.query(`SELECT * FROM t WHERE m = '${message}'`)"],
      ['string concatenation', "pool.query('SELECT * FROM t WHERE m = ' + message)"],
      ['concatenation in parentheses', "client.query(('DELETE FROM ' + table) as string)"],
      ['a call building the text', 'client.query(format("SELECT %s", x))'],
      ['String.concat', "client.query('SELECT '.concat(x))"],
      ['a computed text in a query config', 'client.query({ text: `SELECT ${x}`, values: [] })'],
      ['a template inside copyFrom', 'client.query(copyFrom(`COPY ${table} FROM STDIN`))'],
      ['a computed element access', 'client.query(SQL[name + "x"])'],
    ])('flags %s', (_label, code) => {
      expect(findComputedSql('fixture.ts', code)).toHaveLength(1);
    });

    it.each([
      ['a named statement with parameters', 'client.query(SQL.lockSource, [id])'],
      ['a plain literal', "client.query('BEGIN')"],
      ['a template literal without ${}', 'client.query(`COMMIT`)'],
      ['a migration file read from disk', 'client.query(m.sql)'],
      ['copyFrom with a named statement', 'client.query(copyFrom(SQL.copyEntries))'],
      ['a query config with a named text', 'client.query({ text: SQL.x, values: [a] })'],
    ])('accepts %s', (_label, code) => {
      expect(findComputedSql('fixture.ts', code)).toEqual([]);
    });

    it('flags a ${} naming anything but a literal constant in a statements file', () => {
      const code = "const KEY = 1;\nconst COLS = `a, b`;\nexport const S = { ok: `SELECT ${COLS} WHERE k = ${KEY}`, bad: `SELECT ${input}`, worse: 'a' + b };";
      expect(findUnsafeInterpolations('x-statements.ts', code).map((f) => f.text)).toEqual(['input', "'a' + b"]);
    });
  });

  it('finds no query call in lib/, sql/, handlers/ or scripts/ whose SQL is computed', () => {
    const files = SCANNED_DIRS.flatMap((d) => listSources(path.join(ROOT, d)));
    expect(files.length).toBeGreaterThan(10);
    const findings = files.flatMap((f) => findComputedSql(path.relative(ROOT, f), fs.readFileSync(f, 'utf8')));
    expect(findings).toEqual([]);
  });

  it('covers the alert job: its files are scanned and their query calls are seen', () => {
    const files = SCANNED_DIRS.flatMap((d) => listSources(path.join(ROOT, d))).map((f) => path.relative(ROOT, f));
    const alertFiles = ['lib/alert/alert.ts', 'lib/alert/outbox-publisher.ts', 'lib/alert/rule-window.ts', 'handlers/alert.ts', 'sql/alert-statements.ts'];
    expect(files).toEqual(expect.arrayContaining(alertFiles));
    const calls = (file: string): number => {
      const sf = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
      let n = 0;
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && QUERY_CALLEES.has(calleeName(node))) n += 1;
        ts.forEachChild(node, visit);
      };
      visit(sf);
      return n;
    };
    // evaluation, state and outbox writes, publishing: the checker sees real query calls there
    expect(calls('lib/alert/alert.ts')).toBeGreaterThan(3);
    expect(calls('lib/alert/outbox-publisher.ts')).toBeGreaterThan(2);
    expect(calls('lib/alert/rule-window.ts')).toBeGreaterThan(0);
  });

  it('finds in sql/*-statements.ts no ${} but literal constants, and no concatenation', () => {
    const files = listSources(path.join(ROOT, 'sql')).filter((f) => /-statements\.ts$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    const findings = files.flatMap((f) => findUnsafeInterpolations(path.relative(ROOT, f), fs.readFileSync(f, 'utf8')));
    expect(findings).toEqual([]);
  });
});
