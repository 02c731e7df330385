import { canonicalDecimal, needsExactNumber } from '../../src/json/decimal';
import { ExactNumber } from '../../src/json/exact-number';
import { mayHoldInexactNumber, parseJson } from '../../src/json/parse-json';
import { stringifyJson } from '../../src/json/stringify-json';

const exact = (text: string) => new ExactNumber(text);

describe('parseJson', () => {
  it.each([
    { name: 'an integer beyond 2^53', text: '{"id":12345678901234567890}', value: { id: exact('12345678901234567890') } },
    { name: '2^53 + 1', text: '[9007199254740993]', value: [exact('9007199254740993')] },
    { name: '2^53 itself (outside the safe range)', text: '[9007199254740992]', value: [exact('9007199254740992')] },
    { name: 'the largest safe integer', text: '[9007199254740991,-9007199254740991]', value: [9007199254740991, -9007199254740991] },
    { name: 'an overflow', text: '{"x":1e400,"y":-1E+400}', value: { x: exact('1e400'), y: exact('-1E+400') } },
    { name: 'an underflow', text: '{"x":1e-400}', value: { x: exact('1e-400') } },
    { name: 'a decimal a double rounds', text: '{"x":0.1000000000000000055511151231257827}', value: { x: exact('0.1000000000000000055511151231257827') } },
    { name: 'an integer a double rounds, written with a fraction', text: '[9007199254740993.0]', value: [exact('9007199254740993.0')] },
    { name: 'pretty-printed', text: '{\n  "id": 12345678901234567890\n}', value: { id: exact('12345678901234567890') } },
    { name: 'a number that is the whole text', text: ' 12345678901234567890 ', value: exact('12345678901234567890') },
    { name: 'deep in arrays and objects', text: '{"a":[1,{"b":[99999999999999999999]}]}', value: { a: [1, { b: [exact('99999999999999999999')] }] } },
  ])('keeps $name exact', ({ text, value }) => {
    expect(parseJson(text)).toEqual(value);
  });

  it.each([
    { name: 'short numbers', text: '{"a":1,"b":-2.5,"c":0,"d":-0}' },
    { name: 'doubles written shortest', text: '[0.30000000000000004,0.1,1.7976931348623157e308,5e-324]' },
    { name: 'numbers that round-trip though written otherwise', text: '[1.50,1E2,1.5e3,100.000]' },
    { name: 'digits inside strings', text: '{"phone":"12345678901234567890","note":"x, 12345678901234567890, 1e400"}' },
  ])('keeps $name as JSON.parse does', ({ text }) => {
    expect(parseJson(text)).toEqual(JSON.parse(text));
    expect(JSON.stringify(parseJson(text))).not.toContain('text');
  });

  it('tells a big number from one in a string beside it', () => {
    expect(parseJson('{"s":"a,12345678901234567890","n":12345678901234567891}')).toEqual({ s: 'a,12345678901234567890', n: exact('12345678901234567891') });
  });

  it('keeps a key named __proto__ an own field, exact number or not', () => {
    const parsed = parseJson('{"__proto__":12345678901234567890,"x":{"__proto__":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toEqual(exact('12345678901234567890'));
  });

  it('takes a string that looks like a tag for what it is', () => {
    const text = '{"n":12345678901234567890,"s":"\\u0000abcdef0123456789:0"}';
    expect(parseJson(text)).toEqual({ n: exact('12345678901234567890'), s: '\u0000abcdef0123456789:0' });
  });

  it.each(['{12345678901234567890:1}', '[12345678901234567890', '{"a":12345678901234567890,}', '[0123456789012345678901]', ''])(
    'throws a SyntaxError for text that is not JSON: %j',
    (text) => {
      expect(() => parseJson(text)).toThrow(SyntaxError);
    },
  );

  it('parses deeply nested pages without overflowing the stack', () => {
    const depth = 20_000;
    const text = `${'['.repeat(depth)}12345678901234567890${']'.repeat(depth)}`;
    let value = parseJson(text);
    for (let level = 0; level < depth; level += 1) value = (value as unknown[])[0];
    expect(value).toEqual(exact('12345678901234567890'));
  });
});

describe('mayHoldInexactNumber (the quick look before the closer scan)', () => {
  /** Number tokens of every shape: 1–25 digits, a point anywhere, exponents from -330 to 330 (subnormals, overflows). */
  function* tokens(): Generator<string> {
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    for (let index = 0; index < 20_000; index += 1) {
      const length = 1 + random(25);
      let digits = String(1 + random(9));
      while (digits.length < length) digits += String(random(10));
      const point = random(3) === 0 ? 0 : random(length);
      let token = `${random(2) ? '-' : ''}${point === 0 ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`}`;
      if (random(2)) token += `${'eE'[random(2)]}${['', '+', '-'][random(3)]}${random(331)}`;
      yield token;
    }
  }

  it('never misses a token that must stay exact, in any position a value may stand', () => {
    let mustStayExact = 0;
    for (const token of tokens()) {
      if (!needsExactNumber(token)) continue;
      mustStayExact += 1;
      for (const text of [token, `{"a":${token}}`, `[1,${token}]`, `{"a": ${token} }`]) expect([text, mayHoldInexactNumber(text)]).toEqual([text, true]);
    }
    expect(mustStayExact).toBeGreaterThan(5000);
  });

  it('lets a page of strings, dates, ids and short numbers go straight to JSON.parse', () => {
    const page = JSON.stringify({
      current_page: 3,
      total: 123456789012345,
      data: [{ id: 'cst_0000e5dd', createdAt: '2024-04-28T19:00:00+00:00', phone: '+31201000000', price: 12.5, ratio: 1.5e-7, big: 1e21 }],
    });
    expect(mayHoldInexactNumber(page)).toBe(false);
  });

  it('looks closer at long digit runs anywhere and at long exponents after , : or [ even in a string, and parses them as JSON.parse does', () => {
    for (const text of ['{"order":"1234567890123456"}', '{"note":"a, 1e400"}', '{"v":"0.1000000000000000055511151231257827"}']) {
      expect(mayHoldInexactNumber(text)).toBe(true);
      expect(parseJson(text)).toEqual(JSON.parse(text));
    }
  });

  it('takes a long exponent inside a word or an id for what it is', () => {
    for (const text of ['{"id":"cst_00000e0001"}', '{"ref":"1e400"}', '{"hex":"ab3E-123"}']) {
      expect(mayHoldInexactNumber(text)).toBe(false);
      expect(parseJson(text)).toEqual(JSON.parse(text));
    }
  });

  it('keeps the number beside such a string exact', () => {
    expect(parseJson('{"ref":"1234567890123456789","id":1234567890123456789,"e":"2e400","f":2e400}')).toEqual({
      ref: '1234567890123456789',
      id: exact('1234567890123456789'),
      e: '2e400',
      f: exact('2e400'),
    });
  });
});

describe('stringifyJson', () => {
  it('writes exact numbers as bare digits, everything else as JSON.stringify does', () => {
    const record = { id: exact('12345678901234567890'), big: [exact('1e400')], name: 'x', n: 1.5, missing: undefined };
    expect(stringifyJson(record)).toBe('{"id":12345678901234567890,"big":[1e400],"name":"x","n":1.5}');
    expect(stringifyJson(exact('9007199254740993'))).toBe('9007199254740993');
  });

  it('round-trips what parseJson read', () => {
    const text = '{"id":12345678901234567890,"x":0.1000000000000000055511151231257827,"y":[1e-400,2]}';
    expect(stringifyJson(parseJson(text))).toBe(text);
  });

  it('leaves a string that holds the tag text alone', () => {
    const tricky = { id: exact('12345678901234567890'), s: '\u0000' };
    expect(JSON.parse(stringifyJson(tricky).replace('12345678901234567890', '1'))).toEqual({ id: 1, s: '\u0000' });
  });

  it('gives JSON.stringify elsewhere the digits as a string', () => {
    expect(JSON.stringify({ id: exact('12345678901234567890') })).toBe('{"id":"12345678901234567890"}');
  });
});

describe('needsExactNumber', () => {
  it.each([
    ['12345678901234567890', true],
    ['-9007199254740992', true],
    ['9007199254740991', false],
    ['1e400', true],
    ['1e-400', true],
    ['0e400', false],
    ['1e308', false],
    ['0.1', false],
    ['0.10', false],
    ['0.1000000000000000055511151231257827', true],
    ['0.30000000000000004', false],
    ['123456789012345.6', false],
    ['1234567890123456.7', true],
  ])('%s → %s', (token, expected) => {
    expect(needsExactNumber(token)).toBe(expected);
  });

  it('spells equal values alike', () => {
    expect(canonicalDecimal('1500')).toBe(canonicalDecimal('1.5e3'));
    expect(canonicalDecimal('-0.00120')).toBe(canonicalDecimal('-1.2E-3'));
    expect(canonicalDecimal('0.000')).toBe(canonicalDecimal('-0'));
    expect(canonicalDecimal('12')).not.toBe(canonicalDecimal('1.2'));
  });
});
