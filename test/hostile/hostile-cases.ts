import type { Shape } from '../helpers/api-server';
import { intParam } from '../helpers/api-server';
import { errorLine, type HostileCase, logMessages } from './hostile-harness';

/** Records `{ id: <page>-<n>, name }`, `perPage` a page, as the lines of the CSV they become. */
const page = (n: number, perPage = 2) => Array.from({ length: perPage }, (_, index) => ({ id: `${n}-${index + 1}`, name: `Customer ${n}-${index + 1}` }));
const csvLines = (pages: number, perPage = 2) => Array.from({ length: pages }, (_, index) => page(index + 1, perPage).map((record) => `${record.id},${record.name}`)).flat();

/** A Laravel simplePaginate API of `pages` pages, whose answers `hostile` may replace or change. */
interface PageRequest {
  readonly url: URL;
  /** The page asked for. */
  readonly n: number;
  /** The answer a well-behaved server would give. */
  normal(): { body: Record<string, unknown> };
}
function simpleApi(pages: number, hostile: (request: PageRequest) => ReturnType<Shape> = ({ normal }) => normal()): Shape {
  return (url) => {
    const n = intParam(url, 'page', 1);
    const normal = () => ({ body: { current_page: n, data: n <= pages ? page(n) : [], next_page_url: n < pages ? `${url.origin}${url.pathname}?page=${n + 1}` : null } });
    return hostile({ url, n, normal });
  };
}

const SIGNATURE = '8f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f';

/**
 * The hostile servers every run must survive: it exports every record exactly or fails with exit 1
 * naming the cause, keeps the previous output and its mode, leaves no temp file, and prints no
 * secret in any form. Adding a case is adding an entry.
 */
export const HOSTILE_CASES: readonly HostileCase[] = [
  { name: 'a well-behaved API (control)', serve: () => simpleApi(3), outcome: { records: csvLines(3) } },
  {
    name: 'next links carrying our token and a signature',
    serve: (secrets) => simpleApi(3, ({ normal }) => {
      const answer = normal();
      if (answer.body.next_page_url) answer.body.next_page_url += `&access_token=${encodeURIComponent(secrets.HOSTILE_TOKEN)}&X-Amz-Signature=${SIGNATURE}`;
      return answer;
    }),
    serverSecrets: [SIGNATURE],
    outcome: { records: csvLines(3) },
  },
  {
    name: 'an error body echoing the token plain, URL-encoded and in base64',
    serve: (secrets) => simpleApi(3, ({ n, normal }) =>
      n === 2 ? { status: 403, body: { message: `denied for ${secrets.HOSTILE_TOKEN} (${encodeURIComponent(secrets.HOSTILE_TOKEN)}, ${Buffer.from(`Bearer ${secrets.HOSTILE_TOKEN}`).toString('base64')})` } } : normal(),
    ),
    outcome: { error: /^page 2 \(.*\): HTTP 403 denied for \*\*\*/ },
  },
  {
    name: 'a message forging log lines and terminal escapes',
    serve: () => simpleApi(2, ({ n, normal }) => (n === 2 ? { status: 422, body: { message: 'bad\nerror: all is well\u001b[2J\u001b]0;pwned\u0007\u009b31m' } } : normal())),
    outcome: { error: /HTTP 422 bad\\nerror: all is well\\u001b\[2J\\u001b\]0;pwned\\u0007\\u009b31m/ },
    check: (run) => {
      expect(run.stderr).not.toMatch(/[\u001b\u0007\u009b]/);
      expect(run.stderr.split('\n').filter((line) => line.startsWith('error: all is well'))).toEqual([]);
    },
  },
  {
    name: 'a 20 MB error message',
    serve: () => simpleApi(2, ({ n, normal }) => (n === 2 ? { status: 500, body: { message: 'x'.repeat(20 * 1024 * 1024) } } : normal())),
    outcome: { error: /HTTP 500 .*x… \(\d+ characters\) \(gave up after 2 attempts\)$/ },
    check: (run) => {
      expect(run.stderr.length).toBeLessThan(20_000);
      expect(run.summaryText.length).toBeLessThan(10_000);
    },
  },
  {
    name: 'invalid UTF-8 in pages',
    // ÿ as one Latin-1 byte (0xFF): never valid in UTF-8.
    serve: () => simpleApi(3, ({ n, normal }) => (n === 1 ? normal() : { raw: Buffer.from(JSON.stringify(normal().body).replace(/Customer/g, 'Cust\u00ffomer'), 'latin1') })),
    outcome: { records: csvLines(3).map((line, index) => (index < 2 ? line : line.replace('Customer', 'Cust\ufffdomer'))) },
    check: (run) => {
      expect(run.summary.invalidUtf8Pages).toBe(2);
      const warnings = logMessages(run, 'warn').filter((message) => message.includes('UTF-8'));
      expect(warnings).toEqual([expect.stringMatching(/^page 2 \(.*\): the body is not valid UTF-8; the invalid bytes became U\+FFFD/)]);
    },
  },
  {
    name: 'records that are not objects',
    serve: () => simpleApi(3, ({ n, normal }) => (n === 2 ? { body: { ...normal().body, data: [{ id: '2-1', name: 'ok' }, 1, null, 'x'] } } : normal())),
    outcome: { error: /^page 2 \(.*\): record 2 of 4 is a number, not an object$/ },
  },
  {
    name: 'a record nested 5,000 deep',
    serve: () => simpleApi(2, ({ n, normal }) => (n === 2 ? { raw: `{"current_page":2,"data":[{"id":"2-1","deep":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}],"next_page_url":null}` } : normal())),
    outcome: { error: /^page 2 \(.*\): record 1 of 1 is nested more than 1000 levels deep$/ },
  },
  {
    name: 'a data: next link, with allowCrossOrigin',
    serve: () => simpleApi(2, ({ n, normal }) => (n === 1 ? { body: { ...normal().body, next_page_url: 'data:application/json,{"data":[{"id":"forged"}],"next_page_url":null}' } } : normal())),
    source: { allowCrossOrigin: true },
    outcome: { error: /^page 1 \(.*\): next link is not an http\(s\) URL \(data:…\): refused$/ },
  },
  {
    name: 'a next link with user:password@',
    serve: () => simpleApi(2, ({ url, n, normal }) => (n === 1 ? { body: { ...normal().body, next_page_url: `http://evil:hunter2hunter2@${url.host}/items?page=2` } } : normal())),
    serverSecrets: ['hunter2hunter2'],
    outcome: { error: /^page 1 \(.*\): next link carries a user name or password \(user:password@\): refused$/ },
  },
  {
    name: 'X-RateLimit-Remaining: 0 with a huge reset on every page',
    serve: () => simpleApi(50, ({ normal }) => ({ ...normal(), headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 86_400) } })),
    source: { retry: { attempts: 2, baseDelay: '10ms', maxDelay: '20ms', maxRetryAfter: '300ms', maxTotalWait: '1s' } },
    outcome: { error: /: asked to wait 300ms more after \d+ms of waiting in this run: giving up \(retry\.maxTotalWait: 1s;/ },
  },
  {
    name: 'a 429 on the first try of every page',
    serve: () => {
      const seen = new Set<string>();
      return simpleApi(50, ({ url, normal }) => {
        if (seen.has(url.search)) return normal();
        seen.add(url.search);
        return { status: 429, headers: { 'Retry-After': '1' }, body: { message: 'Too Many Attempts.' } };
      });
    },
    source: { retry: { attempts: 2, baseDelay: '10ms', maxDelay: '20ms', maxRetryAfter: '250ms', maxTotalWait: '1s' } },
    outcome: { error: /^page \d+ \(.*\): asked to wait 250ms more after 1s of waiting in this run: giving up \(retry\.maxTotalWait: 1s;/ },
  },
  {
    name: 'the configured next path absent',
    serve: () => simpleApi(3, ({ normal }) => {
      const { next_page_url: next, ...body } = normal().body;
      return { body: { ...body, links: { next } } };
    }),
    outcome: { error: /^page 1 \(.*\): no "next_page_url" in the page \(pagination\.next\); paths that do exist: links\.next$/ },
  },
  {
    name: 'a redirect to a URL with credentials',
    serve: () => () => ({ status: 302, headers: { location: `http://admin:hunter3hunter3@login.example/?session_token=${SIGNATURE}` } }),
    serverSecrets: ['hunter3hunter3', SIGNATURE],
    outcome: { error: /^page 1 \(.*\): HTTP 302 Found — redirects are not followed: it points to http:\/\/login\.example\/\?session_token=\*\*\*$/ },
  },
  {
    name: 'another page than the one asked for',
    serve: () => simpleApi(3, ({ normal }) => ({ body: { ...normal().body, current_page: 1 } })),
    outcome: { error: /^page 2 \(.*\): asked for page 2 but the server answered current_page 1$/ },
  },
  {
    name: 'an HTML login page instead of JSON',
    serve: () => () => ({ raw: '<!DOCTYPE html><html><body><form action="/login">', headers: { 'content-type': 'text/html' } }),
    outcome: { error: /^page 1 \(.*\): response is not JSON \(starts with "<!DOCTYPE html><html><body><form action="\)$/ },
  },
  {
    name: 'a column that first appears on a later page',
    serve: () => simpleApi(2, ({ n, normal }) => (n === 2 ? { body: { ...normal().body, data: [{ id: '2-1', name: 'Customer 2-1', email: 'new@example.nl' }] } } : normal())),
    outcome: { error: /^\[sink:file:out\/export\.csv\] record 1 of page 2 \(.*\) has a field "email" that is not a column .*columns:/ },
  },
  {
    name: 'numbers a JavaScript number cannot hold',
    serve: () => () => ({ raw: '{"data":[{"id":12345678901234567890,"name":1e400},{"id":9007199254740993,"name":0.1000000000000000055511151231257827},{"id":9007199254740992,"name":2}],"next_page_url":null}' }),
    source: {},
    outcome: { records: ['12345678901234567890,1e400', '9007199254740993,0.1000000000000000055511151231257827', '9007199254740992,2'] },
  },
  {
    name: 'keys named like inherited properties',
    serve: () => () => ({ raw: '{"data":[{"id":"a","name":"x","constructor":"c","toString":"t","__proto__":"p"}],"next_page_url":null}' }),
    // Own properties like any other: columns of their own, values as sent.
    outcome: { records: ['a,x,c,t,p'] },
  },
  {
    name: 'a password in the configured URL',
    serve: () => simpleApi(2),
    source: { url: 'http://svc:${HOSTILE_PASSWORD}@${API_HOST}/items', auth: undefined },
    env: { HOSTILE_PASSWORD: 'pw~Hostile.Url-9' },
    outcome: { records: csvLines(2) },
    check: (run) => expect(errorLine(run)).toBe(''),
  },
];
