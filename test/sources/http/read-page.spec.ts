import { isUtf8 } from 'node:buffer';
import { Redactor } from '../../../src/errors/redact';
import type { Exchange } from '../../../src/sources/http/fetch-page';
import { createPaginator, type PaginationConfig } from '../../../src/sources/http/pagination/pagination-types';
import { MAX_RECORD_DEPTH, readPage } from '../../../src/sources/http/read-page';

const START = 'https://api.example.test/v1/customers?per_page=2';
const exchange = (body: string | Buffer, headers: Record<string, string> = {}): Exchange => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { status: 200, headers, text: bytes.toString('utf8'), bytes: bytes.length, invalidUtf8: !isUtf8(bytes) };
};

function read(body: unknown, { pagination = { type: 'next-link', next: 'next_page_url' } as PaginationConfig, records = 'data', url = `${START}&page=2`, index = 2 } = {}) {
  const paginator = createPaginator(pagination, { params: { per_page: 2 } });
  const bytes = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return readPage({ index, url, position: { url } }, exchange(bytes), { records, paginator, start: START, redactor: new Redactor(['secret-token']) });
}
const problem = (body: unknown, options?: Parameters<typeof read>[1]) => {
  try {
    read(body, options);
  } catch (error) {
    expect(error).toMatchObject({ name: 'SourceError', code: 'PF_HTTP_BAD_PAGE' });
    return (error as Error).message;
  }
  throw new Error('expected the page to fail');
};
const WHERE = `page 2 (${START}&page=2)`;

describe('readPage', () => {
  it('reads the records, the byte size and the next request, with lost params put back', () => {
    const page = read({ current_page: 2, data: [{ id: 1 }, { id: 2 }], next_page_url: 'https://api.example.test/v1/customers?page=3,' });
    expect(page).toEqual({
      index: 2,
      url: `${START}&page=2`,
      records: [{ id: 1 }, { id: 2 }],
      bytes: expect.any(Number),
      next: { position: { url: 'https://api.example.test/v1/customers?page=3' }, url: 'https://api.example.test/v1/customers?page=3&per_page=2' },
    });
  });

  it('has no next request at the end', () => {
    expect(read({ data: [{ id: 5 }], next_page_url: null }).next).toBeUndefined();
  });

  it('reads a body that is the records array itself (records: "")', () => {
    expect(read([{ id: 1 }], { records: '', pagination: { type: 'link-header' } }).records).toEqual([{ id: 1 }]);
  });

  it('flags invalid UTF-8 and reads on, the bad bytes replaced', () => {
    const body = Buffer.concat([Buffer.from('{"data":[{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}],"next_page_url":null}')]);
    const page = read(body);
    expect(page.invalidUtf8).toBe(true);
    expect(page.records).toEqual([{ name: 'caf\ufffd' }]);
    expect(read({ data: [{ name: 'café' }], next_page_url: null }).invalidUtf8).toBeUndefined();
  });

  it('skips a UTF-8 byte order mark', () => {
    expect(read(Buffer.from('\ufeff{"data":[{"id":1}],"next_page_url":null}')).records).toEqual([{ id: 1 }]);
  });

  it('fails on a body that is not JSON, quoting its start with control characters escaped', () => {
    expect(problem('<!DOCTYPE html>\n<html><body>Login</body></html>')).toBe(`${WHERE}: response is not JSON (starts with "<!DOCTYPE html>\\n<html><body>Login</body>")`);
  });

  it.each([
    { name: 'records missing, naming the arrays that exist', body: { items: [{ id: 1 }], meta: { list: [] } }, expected: 'no "data" in the page (records: the path of the records array); arrays that do exist: items, meta.list' },
    { name: 'records not an array', body: { data: { id: 1 }, next_page_url: null }, expected: '"data" is an object, not an array (records: the path of the records array)' },
    { name: 'records null', body: { data: null }, expected: '"data" is null, not an array (records: the path of the records array)' },
    { name: 'a record that is a number', body: { data: [{ id: 1 }, 1, null], next_page_url: null }, expected: 'record 2 of 3 is a number, not an object' },
    { name: 'a record that is null', body: { data: [null], next_page_url: null }, expected: 'record 1 of 1 is null, not an object' },
    { name: 'a record that is a string', body: { data: ['x'], next_page_url: null }, expected: 'record 1 of 1 is a string, not an object' },
    { name: 'a record that is an array', body: { data: [[1]], next_page_url: null }, expected: 'record 1 of 1 is an array, not an object' },
    { name: 'the wrong page (top level)', body: { current_page: 1, data: [], next_page_url: null }, expected: 'asked for page 2 but the server answered current_page 1' },
    { name: 'the wrong page (meta)', body: { data: [], meta: { current_page: 1 }, links: { next: null } }, expected: 'asked for page 2 but the server answered current_page 1' },
    { name: 'the configured next path absent', body: { data: [], links: { next: null }, meta: { next_cursor: 'abc' } }, expected: 'no "next_page_url" in the page (pagination.next); paths that do exist: links.next, meta.next_cursor' },
    { name: 'a next link that is not a string', body: { data: [], next_page_url: 2 }, expected: 'unusable next link: expected the next link to be a string or null, got number' },
  ])('fails on $name, naming the page', ({ body, expected }) => {
    expect(problem(body)).toBe(`${WHERE}: ${expected}`);
  });

  it(`fails on a record nested more than ${MAX_RECORD_DEPTH} levels deep, and takes one nested exactly that deep`, () => {
    const nested = (depth: number) => `{"data":[{"id":1},${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}],"next_page_url":null}`;
    expect(read(nested(MAX_RECORD_DEPTH)).records).toHaveLength(2);
    expect(problem(nested(MAX_RECORD_DEPTH + 1))).toBe(`${WHERE}: record 2 of 2 is nested more than ${MAX_RECORD_DEPTH} levels deep`);
    expect(problem(nested(5000))).toBe(`${WHERE}: record 2 of 2 is nested more than ${MAX_RECORD_DEPTH} levels deep`);
    const arrays = `{"data":[{"a":${'['.repeat(5000)}${']'.repeat(5000)}}],"next_page_url":null}`;
    expect(problem(arrays)).toMatch(/record 1 of 1 is nested more than/);
  });

  it('reads only own properties of a body (no inherited names)', () => {
    expect(problem({ data: [], constructor: 'x' }, { pagination: { type: 'next-link', next: 'toString' } })).toMatch(/no "toString" in the page/);
  });

  it('redacts secrets in what it reports', () => {
    expect(problem({ data: [], next_page_url: 'data:text/plain,secret-token' }, { pagination: { type: 'next-link', next: 'missing' } })).not.toContain('secret-token');
  });
});
