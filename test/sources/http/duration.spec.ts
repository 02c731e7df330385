import { duration, formatDuration, parseDuration } from '../../../src/sources/http/duration';

describe('duration', () => {
  it.each([
    { text: '500ms', ms: 500 },
    { text: '2s', ms: 2000 },
    { text: '1.5s', ms: 1500 },
    { text: '1m', ms: 60_000 },
    { text: ' 1h ', ms: 3_600_000 },
    { text: '0s', ms: 0 },
  ])('reads $text as $ms ms', ({ text, ms }) => {
    expect(parseDuration(text)).toBe(ms);
    expect(duration.parse(text)).toBe(ms);
  });

  it.each(['2', '2 seconds', 's', '-1s', '1d', ''])('rejects %j with the expected form', (text) => {
    const result = duration.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toBe(`expected a duration such as 500ms, 2s or 1m, got ${JSON.stringify(text)}`);
  });

  it('takes a number as milliseconds, so a parsed value parses to itself', () => {
    expect(duration.parse(250)).toBe(250);
    expect(duration.safeParse(-1).success).toBe(false);
  });

  it.each([
    { ms: 450, text: '450ms' },
    { ms: 1234, text: '1.2s' },
    { ms: 1000, text: '1s' },
    { ms: 120_000, text: '2m' },
  ])('formats $ms ms as $text', ({ ms, text }) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
