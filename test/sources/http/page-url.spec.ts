import { firstPageUrl, LostParams, originOf, pageKey, pageParameter, QueryTemplate, resolveLink } from '../../../src/sources/http/page-url';

const BASE = 'https://api.mijnklantportaal.nl/v1/customers';
const HOME = 'https://api.mijnklantportaal.nl';

describe('firstPageUrl', () => {
  it('sets params on the configured URL', () => {
    expect(firstPageUrl(BASE, { per_page: 100, active: true })).toBe(`${BASE}?per_page=100&active=true`);
  });

  it('keeps the URL’s own query and lets params override the same key', () => {
    expect(firstPageUrl(`${BASE}?sort=name&per_page=15`, { per_page: 100 })).toBe(`${BASE}?sort=name&per_page=100`);
  });

  it('leaves the URL as it is without params', () => {
    expect(firstPageUrl(BASE)).toBe(BASE);
  });

  it('encodes parameter values', () => {
    expect(firstPageUrl(BASE, { search: 'Smit & Zonen' })).toBe(`${BASE}?search=Smit+%26+Zonen`);
  });
});

describe('resolveLink', () => {
  const current = `${BASE}?page=1&per_page=100`;

  it.each([
    ['the documented trailing comma', `${BASE}?page=2,`, `${BASE}?page=2`],
    ['several trailing commas', `${BASE}?page=2,,`, `${BASE}?page=2`],
    ['surrounding whitespace', `  ${BASE}?page=2 \n`, `${BASE}?page=2`],
    ['a comma followed by whitespace', `${BASE}?page=2, `, `${BASE}?page=2`],
    ['a clean link', `${BASE}?page=2`, `${BASE}?page=2`],
    ['a path-relative link', '/v1/customers?page=2,', `${BASE}?page=2`],
    ['a query-relative link', '?page=2', `${BASE}?page=2`],
    ['a link relative to the page’s folder', 'customers?page=2', `${BASE}?page=2`],
  ])('cleans %s', (_name, link, expected) => {
    expect(resolveLink(link, `${BASE}?page=1`)).toBe(expected);
  });

  it.each([
    ['null', null],
    ['a missing link', undefined],
    ['an empty string', ''],
    ['only whitespace and a comma', ' , '],
  ])('ends the export at %s', (_name, link) => {
    expect(resolveLink(link, current)).toBeUndefined();
  });

  it.each([
    ['a number', 2, 'number'],
    ['an object', { href: `${BASE}?page=2` }, 'object'],
    ['an array', [`${BASE}?page=2`], 'an array'],
    ['false', false, 'boolean'],
  ])('rejects %s as a next link', (_name, link, got) => {
    expect(() => resolveLink(link, current)).toThrow(`expected the next link to be a string or null, got ${got}`);
  });
});

describe('LostParams', () => {
  const start = `${BASE}?api_key=k1&per_page=100`;

  it('puts back the parameters of the first request the link lost', () => {
    expect(new LostParams().restore(`${BASE}?page=2`, start)).toBe(`${BASE}?page=2&api_key=k1&per_page=100`);
  });

  it('keeps params the link already has, as the server wrote them', () => {
    expect(new LostParams().restore(`${BASE}?page=2&per_page=50&api_key=k1`, start)).toBe(`${BASE}?page=2&per_page=50&api_key=k1`);
  });

  it('does not put params on a link to another origin', () => {
    expect(new LostParams().restore('https://cdn.example.com/v1/customers?page=2', start)).toBe('https://cdn.example.com/v1/customers?page=2');
  });
});

describe('QueryTemplate', () => {
  it('replaces only its own parameters, keeping the others and their order', () => {
    const template = new QueryTemplate(['limit', 'offset']);
    const start = `${BASE}?sort=id&offset=7&filter=a%20b`;
    expect(template.url(start, { limit: 50, offset: 100 })).toBe(`${BASE}?sort=id&filter=a+b&limit=50&offset=100`);
    expect(template.url(BASE, { limit: 50, offset: 0 })).toBe(`${BASE}?limit=50&offset=0`);
  });

  it('leaves out a parameter without a value and encodes values', () => {
    const template = new QueryTemplate(['cursor']);
    expect(template.url(BASE, {})).toBe(BASE);
    expect(template.url(BASE, { cursor: 'eyJp+/=' })).toBe(`${BASE}?cursor=eyJp%2B%2F%3D`);
  });
});

describe('pageParameter and originOf', () => {
  it.each([
    [`${BASE}?page=2`, 2],
    [`${BASE}?per_page=100&page=37`, 37],
    [`${BASE}?page=2,`, undefined],
    [`${BASE}?page=abc`, undefined],
    [`${BASE}?page=`, undefined],
    [`${BASE}?per_page=3`, undefined],
    [BASE, undefined],
  ])('reads %s as %s', (url, expected) => {
    expect(pageParameter(url)).toBe(expected);
  });

  it.each([
    [`${BASE}?page=2`, HOME],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ])('the origin of %s is %s', (url, origin) => {
    expect(originOf(url)).toBe(origin);
  });
});

describe('pageKey', () => {
  it.each([
    [`${BASE}?per_page=10&page=2`, `${BASE}?page=2&per_page=10`, true],
    [`${BASE}?page=2#top`, `${BASE}?page=2`, true],
    [`${BASE}?page=2`, `${BASE}?page=3`, false],
    [`${BASE}?page=2&per_page=10`, `${BASE}?page=2&per_page=100`, false],
    [BASE, `${BASE}/`, false],
  ])('%s and %s are the same page: %s', (a, b, same) => {
    expect(pageKey(a) === pageKey(b)).toBe(same);
  });
});
