import { ExactNumber } from '../../src/json/exact-number';
import { compareCursorValues, cursorOrderKey, type CursorValue, fromCursorText, instantBefore, toCursorValue } from '../../src/state/cursor-value';

const value = (raw: unknown): CursorValue => {
  const parsed = toCursorValue(raw);
  if (!parsed) throw new Error(`not a cursor value: ${String(raw)}`);
  return parsed;
};
const sign = (a: unknown, b: unknown) => Math.sign(compareCursorValues(value(a), value(b)));

describe('cursor values', () => {
  it.each([
    { name: 'offsets are instants, not text', a: '2024-05-01T10:30:00+02:00', b: '2024-05-01T08:30:00Z', order: 0 },
    { name: 'a later instant with an earlier-sorting text', a: '2024-05-01T09:00:00+02:00', b: '2024-05-01T08:30:00Z', order: -1 },
    { name: 'negative offset', a: '2024-05-01T03:30:00-05:00', b: '2024-05-01T08:29:59Z', order: 1 },
    { name: 'microseconds count', a: '2024-05-01T08:30:00.000001Z', b: '2024-05-01T08:30:00Z', order: 1 },
    { name: 'nanoseconds count', a: '2024-05-01T08:30:00.123456788Z', b: '2024-05-01T08:30:00.123456789Z', order: -1 },
    { name: 'trailing zeros of a fraction do not', a: '2024-05-01T08:30:00.500Z', b: '2024-05-01T08:30:00.5Z', order: 0 },
    { name: 'no seconds, basic offset', a: '2024-05-01 08:30+0000', b: '2024-05-01T08:30:00Z', order: 0 },
    { name: 'numbers by value, not text', a: 9, b: 10, order: -1 },
    { name: 'negative numbers', a: -2, b: -10, order: 1 },
    { name: 'exact integers beyond 2^53', a: new ExactNumber('9007199254740993'), b: new ExactNumber('9007199254740992'), order: 1 },
    { name: 'exact and plain numbers', a: new ExactNumber('9007199254740993'), b: 10, order: 1 },
    { name: 'exact decimals', a: new ExactNumber('0.12345678901234567891'), b: new ExactNumber('0.1234567890123456789'), order: 1 },
    { name: 'exponents', a: new ExactNumber('1e400'), b: new ExactNumber('99e398'), order: 1 },
    { name: 'negative exact', a: new ExactNumber('-1e400'), b: 0, order: -1 },
  ])('$name', ({ a, b, order }) => {
    expect(sign(a, b)).toBe(order);
    expect(sign(b, a)).toBe(order === 0 ? 0 : -order);
    if (order === 0) expect(cursorOrderKey(value(a))).toBe(cursorOrderKey(value(b)));
    else expect(cursorOrderKey(value(a))).not.toBe(cursorOrderKey(value(b)));
  });

  it.each([
    ['a timestamp without an offset', '2024-05-01T08:30:00'],
    ['a date alone', '2024-05-01'],
    ['a day that does not exist', '2024-02-30T00:00:00Z'],
    ['hour 24', '2024-05-01T24:00:00Z'],
    ['a number as a string', '1714552200'],
    ['a word', 'yesterday'],
    ['null', null],
    ['a boolean', true],
    ['an object', { at: 1 }],
    ['infinity', Infinity],
  ])('refuses %s', (_name, raw) => {
    expect(toCursorValue(raw)).toBeUndefined();
  });

  it('reads back what the state saved, exactly', () => {
    expect(fromCursorText('number', '9007199254740993')).toEqual({ kind: 'number', text: '9007199254740993' });
    expect(fromCursorText('number', '42')).toEqual({ kind: 'number', text: '42', ms: 42 });
    const saved = fromCursorText('instant', '2024-05-01T10:30:00.25+02:00')!;
    expect(saved.text).toBe('2024-05-01T10:30:00.25+02:00');
    expect(compareCursorValues(saved, value('2024-05-01T08:30:00.250Z'))).toBe(0);
    expect(fromCursorText('instant', 'soon')).toBeUndefined();
  });

  it('subtracts a lookback as an ISO-8601 UTC instant, rounding down to the millisecond', () => {
    expect(instantBefore(value('2024-05-01T10:30:00+02:00'), 15 * 60_000).text).toBe('2024-05-01T08:15:00.000Z');
    expect(instantBefore(value('2024-05-01T08:30:00.123456Z'), 1000).text).toBe('2024-05-01T08:29:59.123Z');
    expect(instantBefore(value('2024-05-01T08:30:00.123456Z'), 0).text).toBe('2024-05-01T08:30:00.123456Z');
  });
});
