import crypto from 'node:crypto';
import { idOfDigest, maskLine, shapeKey, templateId, templateOf } from '../../lib/ingest/template';

const uuid = (i: number): string => {
  const h = crypto.createHash('md5').update(String(i)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

describe('Function: templateOf', () => {
  describe('masking', () => {
    it.each([
      ['numbers', 'timeout after 31 ms', 'timeout after <num> ms'],
      ['a number with a unit', 'took 1532ms, limit 80%', 'took <num>ms, limit <num>%'],
      ['a UUID', 'Request 0b7c2c36-5d4e-4f1a-9a2b-3c4d5e6f7a8b failed', 'Request <uuid> failed'],
      ['an IPv4 address with a port, in parentheses', 'connect ECONNREFUSED (10.0.0.12:5432)', 'connect ECONNREFUSED (<ip>)'],
      ['an IPv4 address', 'connection from 82.252.162.81 refused', 'connection from <ip> refused'],
      ['an IPv6 address', 'peer 2001:db8::8a2e:370:7334 reset', 'peer <ip> reset'],
      ['an IPv6 address with a port', 'peer [2001:db8::1]:8443 reset', 'peer <ip> reset'],
      ['a host name with a port', 'q1.cnzz.com:80 open through proxy', '<ip> open through proxy'],
      ['an e-mail address', 'mail to jane.doe+x@example.co.uk bounced', 'mail to <email> bounced'],
      ['a URL', 'GET https://api.example.com/v1/orders?id=7 returned 502', 'GET <url> returned <num>'],
      ['a double-quoted string', 'user "alice smith" not found', 'user "<*>" not found'],
      ['a single-quoted string', "table 'orders_2026' is locked", "table '<*>' is locked"],
      ['an apostrophe is no quote', "can't open file", "can't open file"],
      ['key=value values', 'Payment failed for order=1234 customer=c-99 status=declined', 'Payment failed for order=<*> customer=<*> status=<*>'],
      ['an empty key= value', 'logname= uid=0', 'logname= uid=<*>'],
      ['key=value after a prefix:', 'pool:size=12 drain:mode=fast', 'pool:size=<*> drain:mode=<*>'],
      ['an ISO timestamp', 'job started 2026-11-23T10:00:00.123Z and failed', 'job started <ts> and failed'],
      ['a time of day', 'last success at 10:04:55', 'last success at <ts>'],
      ['a written-out date', 'connection from 10.0.0.1 at Fri Jun 17 20:55:07 2005', 'connection from <ip> at <ts>'],
      ['a date with a zone', 'status changed Fri Jul 01 08:16:53 PDT 2005', 'status changed <ts>'],
      ['a hex literal', 'lock 0x7f3a9c held', 'lock <hex> held'],
      ['a bare hex id like a number (it may hold only digits)', 'iar 00106bdc dear 00998588', 'iar <num> dear <num>'],
      ['a list of addresses', 'from 10.11.21.143,10.11.10.1 refused', 'from <ip> refused'],
      ['a variable-length list of numbers', 'PCI Interrupt Link (IRQs 3 4 5 6 7 10 11 12)', 'PCI Interrupt Link (IRQs <num>)'],
      ['a quoted HTTP request, keeping its method', '10.0.0.1 "GET /v2/servers/detail HTTP/1.1" status: 200', '<ip> "GET <*>" status: <num>'],
      ['the word after user', 'session opened for user cyrus by (uid=0)', 'session opened for user <*> by (uid=<*>)'],
      ['a numeric user name', 'Invalid user 1234 from 103.99.0.122', 'Invalid user <*> from <ip>'],
      ['a host name', 'reverse mapping for ns.example.com failed', 'reverse mapping for <host> failed'],
      ['a digit in a call name', 'authw 0x7fa823c89600(2000)', 'authw <hex>(<num>)'],
      ['paths', 'cannot open /var/lib/app/cache/7/a.db: EACCES', 'cannot open <path>: EACCES'],
      ['a relative path', 'Error loading ./runtime_malloc: missing', 'Error loading <path>: missing'],
      ['a call argument', 'LOGIN chdir(/g/g0/spelce1) failed', 'LOGIN chdir(<path>) failed'],
      ['other tokens with digits', 'block blk_-6952295868487656571 lost', 'block <*> lost'],
      ['runs of white space', 'a   b \t c', 'a b c'],
      ['a size with a unit word', 'cache full: 512.0 KB used of 2 GB', 'cache full: <size> used of <size>'],
      ['a size in bytes', 'upload aborted after 40213 bytes.', 'upload aborted after <size>.'],
      ['a size restated in parentheses', 'wrote 1048576 bytes (1.0 MB), flushed', 'wrote <size>, flushed'],
      ['a duration with a unit word', 'job sync-7 idle for 12 minutes, killed', 'job <*> idle for <ts>, killed'],
      ['a bound duration', 'session closed, lifetime <1 sec', 'session closed, lifetime <ts>'],
      ['a clock duration, as a duration word', 'session closed, lifetime 01:42', 'session closed, lifetime <ts>'],
      ['the name in parentheses after an address', 'accepted peer 10.1.2.3 (edge-4.example.net) on tls', 'accepted peer <ip> (<*>) on tls'],
      ['the empty name in parentheses after an address', 'accepted peer 10.1.2.3 () on tls', 'accepted peer <ip> (<*>) on tls'],
      ['the account between for and from an address', 'Rejected token for carol from 192.0.2.7 port 4411', 'Rejected token for <*> from <ip> port <num>'],
    ])('masks %s', (_what, message, template) => {
      expect(templateOf(message).template).toBe(template);
    });

    it.each([
      ['plain words', 'Disk quota exceeded'],
      ['a lone slash', 'and / or'],
      ['a level-like prefix', 'ERROR:root:boom'],
      ['a Java class name', 'java.util.concurrent.TimeoutException thrown'],
      ['a file name', 'cannot load app.min.js'],
      ['a word after user that is no name', 'user not found'],
      ['a word between for and from with no address after', 'waiting for data from upstream'],
    ])('keeps %s', (_what, message) => {
      expect(templateOf(message).template).toBe(message);
    });

    it.each([
      ['a sub-second duration a number', 'flush took 31 ms', 'flush took <num> ms'],
      ['a number and a word that is no unit two tokens', 'retry 3 times', 'retry <num> times'],
      ['a plain word in parentheses after an address', 'peer 10.1.2.3 (refused) dropped', 'peer <ip> (refused) dropped'],
      ['a size in parentheses after no size', 'queue (12 MB) full', 'queue (<size>) full'],
    ])('keeps %s', (_what, message, template) => {
      expect(templateOf(message).template).toBe(template);
    });
  });

  describe('grouping (issue 12)', () => {
    it('folds 200 payment failures that differ in their ids into one template', () => {
      const ids = new Set(Array.from({ length: 200 }, (_, i) => templateOf(`Payment failed for order=${1000 + i * 7} amount=${i}.99 EUR`).id));

      expect(ids.size).toBe(1);
    });

    it('folds 10,000 request failures with distinct UUIDs into one template', () => {
      const templates = new Set(Array.from({ length: 10_000 }, (_, i) => templateOf(`Request ${uuid(i)} failed`).template));

      expect([...templates]).toEqual(['Request <uuid> failed']);
    });

    it.each([
      ['Disk quota exceeded', 'Payment failed for order=1'],
      ['acquire:lock=7', 'release:lock=7'],
      ['Card processor TLS handshake failed', 'Card processor TLS handshake timed out'],
      ['connection refused', 'connection reset'],
      ['user "a" not found', 'group "a" not found'],
    ])('tells %j from %j', (a, b) => {
      expect(templateOf(a).id).not.toBe(templateOf(b).id);
    });
  });

  describe('stack traces', () => {
    const java = (line: number): string =>
      [
        'Request failed for order=42',
        'java.lang.IllegalStateException: pool exhausted after 30000 ms',
        `\tat com.shop.Pool.take(Pool.java:${line})`,
        `\tat com.shop.Checkout.pay(Checkout.java:${line + 10})`,
        '\tat com.shop.Api$$Lambda$312/0x0000000801234.handle(Unknown Source)',
        `\tat java.base/java.lang.Thread.run(Thread.java:${line + 100})`,
      ].join('\n');
    const python = (line: number): string =>
      [
        'Traceback (most recent call last):',
        `  File "/app/handler.py", line ${line}, in handle`,
        '    return pay(order)',
        `  File "/app/pay.py", line ${line + 3}, in pay`,
        'ValueError: amount must be positive',
      ].join('\n');
    const node = (line: number, col: number): string =>
      [
        'TypeError: Cannot read properties of undefined (reading "id")',
        `    at charge (/srv/app/dist/pay.js:${line}:${col})`,
        `    at async handler (/srv/app/dist/index.js:${line * 2}:7)`,
      ].join('\n');
    const dotnet = (line: number): string =>
      ['Unhandled exception.', 'System.InvalidOperationException: boom', `   at Shop.Pay.Charge() in C:\\src\\Pay.cs:line ${line}`].join('\n');

    it.each([
      ['Java', java(41), java(97)],
      ['Python', python(10), python(212)],
      ['Node', node(12, 5), node(140, 19)],
      ['.NET', dotnet(3), dotnet(300)],
    ])('keeps the id of a %s trace whose line numbers moved', (_lang, before, after) => {
      expect(templateOf(after).id).toBe(templateOf(before).id);
    });

    it('is made of the first line, the exception type and at most 3 frames, without line numbers', () => {
      expect(templateOf(java(41)).template).toBe(
        [
          'Request failed for order=<*>',
          'java.lang.IllegalStateException',
          'at com.shop.Pool.take(Pool.java)',
          'at com.shop.Checkout.pay(Checkout.java)',
          'at com.shop.Api$$Lambda/.handle(Unknown Source)',
        ].join('\n'),
      );
    });

    it('tells traces through other frames apart', () => {
      expect(templateOf(java(41).replace('Pool.take', 'Pool.give')).id).not.toBe(templateOf(java(41)).id);
    });

    it('tells the same first line with another exception apart', () => {
      expect(templateOf(java(41).replace('IllegalStateException', 'NullPointerException')).id).not.toBe(templateOf(java(41)).id);
    });
  });

  describe('the cache of message shapes', () => {
    it.each([
      ['PSR1=00000000 PRXF=2', 'PSR9=00000000 PRXF=7'],
      ['ipv4=10.0.0.1', 'ipv6=10.0.0.1'],
      ['size 1x5 at 0x10', 'size 9x7 at 0x90'],
      ['retry 3 of 5 for order=12', 'retry 4 of 9 for order=98'],
      ['user test2 from 10.0.0.1', 'user test7 from 10.0.0.1'],
      ['wrote 1048576 bytes (1.0 MB), idle 2 sec', 'wrote 9999999 bytes (9.9 MB), idle 7 sec'],
    ])('gives %j and %j the templates masking gives them (same shape, other digits)', (a, b) => {
      expect(templateOf(a).template).toBe(maskLine(a));
      expect(templateOf(b).template).toBe(maskLine(b));
    });

    it('gives two shapes whose FNV-1a hashes collide their own keys and templates (the key has a second hash)', () => {
      // Prepare: two plain-word messages found to share an FNV-1a hash
      const a = 'queue qzyuxuftvq is full';
      const b = 'queue fxkbmimkxx is full';
      expect(shapeKey(a)).not.toBe(shapeKey(b));

      // Act
      const first = templateOf(a);
      const second = templateOf(b);

      // Assess
      expect([first.template, second.template]).toEqual([a, b]);
      expect(second.id).toBe(templateId(b));
    });

    it('keys a message by its shape: digits 2-9 read as 1, 0 kept; after the first line, by the exact text', () => {
      expect(shapeKey('timeout after 4502 ms')).toBe(shapeKey('timeout after 1101 ms'));
      expect(shapeKey('timeout after 4502 ms')).not.toBe(shapeKey('timeout after 4512 ms'));
      expect(shapeKey('boom 42\n\tat a.b(C.java:1)')).toBe(shapeKey('boom 97\n\tat a.b(C.java:1)'));
      expect(shapeKey('boom 42\n\tat a.b(C.java:1)')).not.toBe(shapeKey('boom 42\n\tat a.b(C.java:2)'));
      expect(shapeKey('x'.repeat(513))).toBe(-1);
      // lines after the third frame are not read by the template, so not by the key
      expect(shapeKey(`boom\n${'\tat a.b(C.java:1)\n'.repeat(3)}\tat x.y(Z.java:9)`)).toBe(
        shapeKey(`boom\n${'\tat a.b(C.java:1)\n'.repeat(3)}\tat q.r(S.java:7)`),
      );
      expect(shapeKey(`boom\n${'x'.repeat(20_000)}\n\tat a.b(C.java:1)`)).toBe(-1);
    });

    it.each([
      [
        'a digit-free first line',
        'order 42 failed\njava.lang.IllegalStateException: x\n\tat a.B.c(B.java:10)',
        'order 97 failed\njava.lang.IllegalStateException: x\n\tat a.B.c(B.java:10)',
      ],
      [
        'frames that keep digits',
        'boom 1\n\tat a.GeneratedMethodAccessor112.invoke(Unknown Source)',
        'boom 2\n\tat a.GeneratedMethodAccessor112.invoke(Unknown Source)',
      ],
      ['a first line that keeps a digit', 'PSR1=on 42\n\tat a.B.c(B.java:10)', 'PSR9=on 42\n\tat a.B.c(B.java:10)'],
    ])('gives a repeated stack trace (%s) the template its own lines give it', (_, a, b) => {
      // Act
      const first = templateOf(a);
      const second = templateOf(b);

      // Assess: each first line masked as its own, the same frames, the id of the text
      expect(first.template.split('\n')[0]).toBe(maskLine(a.slice(0, a.indexOf('\n'))));
      expect(second.template.split('\n')[0]).toBe(maskLine(b.slice(0, b.indexOf('\n'))));
      expect(second.template.split('\n').slice(1)).toEqual(first.template.split('\n').slice(1));
      expect(second.template.split('\n').length).toBeGreaterThan(1);
      expect(second.id).toBe(templateId(second.template));
    });
  });

  describe('bounded work', () => {
    it.each([
      ['one 64 KiB token', 'x'.repeat(65_536)],
      ['64 KiB of digits and dots', '1.'.repeat(32_768)],
      ['64 KiB of unclosed quotes', ' "a'.repeat(21_845)],
      ['64 KiB of colons and hex', 'a:'.repeat(32_768)],
      ['64 KiB of @', 'a@'.repeat(32_768)],
      ['64 KiB of short tokens', 'ab1 '.repeat(16_384)],
      ['a 64 KiB trace', `boom\n${'\tat a.b(C.java:1)\n'.repeat(3000)}`],
      ['64 KiB of month names and numbers', 'Jun 1 '.repeat(10_922)],
    ])('templates %s in a few milliseconds', (_what, message) => {
      const started = process.hrtime.bigint();
      const t = templateOf(message);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;

      expect(t.template.length).toBeLessThan(65_536);
      expect(ms).toBeLessThan(50);
    });
  });
});

describe('Function: templateId', () => {
  const firstBitsOfSha1 = (text: string): string =>
    BigInt.asIntN(64, BigInt(`0x${crypto.createHash('sha1').update(text).digest('hex').slice(0, 16)}`)).toString();

  it('is the first 64 bits of the SHA-1 of the template as a signed integer, the same on every run and machine', () => {
    expect(templateId('Request <uuid> failed')).toBe(firstBitsOfSha1('Request <uuid> failed'));
    expect(templateOf('Request 0b7c2c36-5d4e-4f1a-9a2b-3c4d5e6f7a8b failed').id).toBe(templateId('Request <uuid> failed'));
  });

  it.each([
    ['Disk quota exceeded', '-5296940549557852182'],
    ['Request <uuid> failed', '-397707583805312725'],
    ['connection refused', '7766970385702197737'],
  ])('of %j is %s (pinned: a changed id would split every stored template)', (template, id) => {
    expect(templateId(template)).toBe(id);
  });

  it('is a decimal bigint PostgreSQL takes: within the signed 64-bit range, no leading zeros', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => templateId(`template ${i} <num>`));

    for (const id of ids) {
      expect(id).toMatch(/^-?(?:0|[1-9]\d{0,18})$/);
      expect(BigInt.asIntN(64, BigInt(id))).toBe(BigInt(id));
    }
    // the sign bit is the first digest bit: about half the ids are negative
    expect(ids.filter((id) => id.startsWith('-')).length).toBeGreaterThan(800);
  });
});

describe('Function: idOfDigest', () => {
  it.each([
    ['the smallest', 'ffffffffffffffff', '-1'],
    ['the sign bit alone', '8000000000000000', '-9223372036854775808'],
    ['the largest positive', '7fffffffffffffff', '9223372036854775807'],
    ['zero', '0000000000000000', '0'],
  ])('reads %s first 8 bytes (%s) as a signed big-endian integer', (_what, hex, id) => {
    expect(idOfDigest(Buffer.from(`${hex}00112233`, 'hex'))).toBe(id);
  });
});
