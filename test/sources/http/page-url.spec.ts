import { firstPageUrl, nextPageUrl, pageParameter } from '../../../src/sources/http/page-url';

const BASE = 'https://api.mijnklantportaal.nl/v1/customers';

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

describe('nextPageUrl', () => {
  const current = `${BASE}?page=1&per_page=100`;

  it.each([
    ['the documented trailing comma', `${BASE}?page=2,`, `${BASE}?page=2`],
    ['several trailing commas', `${BASE}?page=2,,`, `${BASE}?page=2`],
    ['surrounding whitespace', `  ${BASE}?page=2 \n`, `${BASE}?page=2`],
    ['a comma followed by whitespace', `${BASE}?page=2, `, `${BASE}?page=2`],
    ['a clean link', `${BASE}?page=2`, `${BASE}?page=2`],
    ['a path-relative link', '/v1/customers?page=2,', `${BASE}?page=2`],
    ['a query-relative link', '?page=2', `${BASE}?page=2`],
  ])('cleans %s', (_name, link, expected) => {
    expect(nextPageUrl(link, `${BASE}?page=1`)).toBe(expected);
  });

  it('puts back params the link lost', () => {
    expect(nextPageUrl(`${BASE}?page=2,`, current, { per_page: 100 })).toBe(`${BASE}?page=2&per_page=100`);
  });

  it('keeps params the link already has, as the server wrote them', () => {
    expect(nextPageUrl(`${BASE}?page=2&per_page=50`, current, { per_page: 100 })).toBe(`${BASE}?page=2&per_page=50`);
  });

  it('restores params on a relative link too', () => {
    expect(nextPageUrl('/v1/customers?page=3,', current, { per_page: 100, sort: 'id' })).toBe(`${BASE}?page=3&per_page=100&sort=id`);
  });

  it.each([
    ['null', null],
    ['a missing link', undefined],
    ['an empty string', ''],
    ['only whitespace and a comma', ' , '],
  ])('ends the export at %s', (_name, link) => {
    expect(nextPageUrl(link, current, { per_page: 100 })).toBeUndefined();
  });

  it.each([
    ['a number', 2],
    ['an object', { href: `${BASE}?page=2` }],
    ['false', false],
  ])('rejects %s as a next link', (_name, link) => {
    expect(() => nextPageUrl(link, current)).toThrow('expected the next link to be a string or null');
  });
});

describe('pageParameter', () => {
  it.each([
    [`${BASE}?page=2`, 2],
    [`${BASE}?per_page=100&page=37`, 37],
    [`${BASE}?page=2,`, undefined],
    [`${BASE}?page=abc`, undefined],
    [`${BASE}?page=`, undefined],
    [BASE, undefined],
  ])('reads %s as %s', (url, expected) => {
    expect(pageParameter(url)).toBe(expected);
  });
});

describe('nextPageUrl across origins', () => {
  it('does not put params on a link to another origin', () => {
    expect(nextPageUrl('https://cdn.example.com/v1/customers?page=2,', `${BASE}?page=1`, { api_key: 'secret-key' })).toBe(
      'https://cdn.example.com/v1/customers?page=2',
    );
  });
});
