import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeProgress, fitWidth, formatBytes, formatElapsed, StderrStatus } from '../../src/cli/progress';
import { RunMetrics } from '../../src/pipeline/run-metrics';

/** A stream that says whether it is a terminal and keeps what is written to it. */
class FakeTerminal extends Writable {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns = 200,
  ) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const CLEAR_LINE = '\r\u001b[2K';

describe('StderrStatus', () => {
  it('draws a live line of the figures on a terminal, writes log text in its place and draws it again below, and clears it when hidden', async () => {
    const terminal = new FakeTerminal(true);
    const stderr = new StderrStatus(terminal as unknown as NodeJS.WriteStream);
    const metrics = new RunMetrics();
    metrics.sinks.push({ name: 'file:out/a.csv', records: 0, bytes: 0 });

    const hide = stderr.showProgress(metrics);
    metrics.pages = 2;
    metrics.recordsRead = 50;
    stderr.write('warn: page 3: HTTP 429, waiting 1s\n');
    await sleep(250);
    hide();
    const drawn = terminal.text;
    stderr.write('info: done\n');

    // Every log line starts on a cleared line: the progress line never shares a line with it.
    expect(drawn).toContain(`${CLEAR_LINE}warn: page 3: HTTP 429, waiting 1s\n${CLEAR_LINE}2 pages · 50 records · `);
    expect(drawn).toMatch(/2 pages · 50 records · \d+ records\/s · 0 duplicates dropped · 0:00 · file:out\/a\.csv 0 B/);
    expect(drawn.split('\n')).toHaveLength(2); // the line itself never ends in a line break
    expect(drawn.endsWith(CLEAR_LINE)).toBe(true);
    expect(terminal.text.slice(drawn.length)).toBe('info: done\n');
  });

  it('cuts the line to the terminal width, so that it never wraps', () => {
    const terminal = new FakeTerminal(true, 40);
    const stderr = new StderrStatus(terminal as unknown as NodeJS.WriteStream);
    const metrics = new RunMetrics();
    metrics.sinks.push({ name: 's3://a-very-long-bucket-name/and/a/long/key/customers-2026-12-01.csv.gz', records: 0, bytes: 0 });

    stderr.showProgress(metrics)();

    const line = terminal.text.split(CLEAR_LINE).find((part) => part.length > 0) ?? '';
    expect([...line]).toHaveLength(39);
    expect(line.endsWith('…')).toBe(true);
  });

  it('draws nothing off a terminal: text passes straight through', async () => {
    const pipe = new FakeTerminal(false);
    const stderr = new StderrStatus(pipe as unknown as NodeJS.WriteStream);

    const hide = stderr.showProgress(new RunMetrics());
    stderr.write('info: hello\n');
    await sleep(250);
    hide();

    expect(pipe.text).toBe('info: hello\n');
  });
});

it.each([
  { text: 'short', width: 10, fitted: 'short' },
  { text: '12345', width: 5, fitted: '12345' },
  { text: '123456', width: 5, fitted: '1234…' },
  { text: '日本の会社 🚚 x', width: 7, fitted: '日本の会社 …' },
])('fitWidth($text, $width) is $fitted', ({ text, width, fitted }) => {
  expect(fitWidth(text, width)).toBe(fitted);
});

describe('describeProgress', () => {
  afterEach(() => jest.useRealTimers());

  it('shows pages, records, records/s, duplicates dropped, elapsed time and bytes per sink', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    const metrics = new RunMetrics();
    metrics.sinks.push({ name: 'file:out/a.csv', records: 298, bytes: 41_234 }, { name: 'stdout', records: 298, bytes: 812 });
    Object.assign(metrics, { pages: 3, recordsRead: 300, duplicates: 2 });
    jest.advanceTimersByTime(2000);

    expect(describeProgress(metrics)).toBe('3 pages · 300 records · 150 records/s · 2 duplicates dropped · 0:02 · file:out/a.csv 41.2 kB · stdout 812 B');
  });
});

it.each([
  { ms: 0, text: '0:00' },
  { ms: 7_999, text: '0:07' },
  { ms: 723_000, text: '12:03' },
  { ms: 3_723_000, text: '1:02:03' },
])('formatElapsed($ms) is $text', ({ ms, text }) => {
  expect(formatElapsed(ms)).toBe(text);
});

it.each([
  { bytes: 0, text: '0 B' },
  { bytes: 999, text: '999 B' },
  { bytes: 41_234, text: '41.2 kB' },
  { bytes: 3_100_000, text: '3.1 MB' },
  { bytes: 2e12, text: '2.0 TB' },
])('formatBytes($bytes) is $text', ({ bytes, text }) => {
  expect(formatBytes(bytes)).toBe(text);
});
