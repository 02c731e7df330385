import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeProgress, formatBytes, formatElapsed, StderrStatus } from '../../src/cli/progress';
import { RunMetrics } from '../../src/pipeline/run-metrics';

/** A stream that says it is a terminal and keeps what is written to it. */
class FakeTerminal extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  readonly columns = 200;
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const ESCAPE = '\u001b';

describe('StderrStatus', () => {
  it('draws a live line of the figures on a terminal, keeps log text above it, and clears it when hidden', async () => {
    const terminal = new FakeTerminal(true);
    const stderr = new StderrStatus(terminal as unknown as NodeJS.WriteStream);
    const metrics = new RunMetrics();
    metrics.sinks.push({ name: 'file:out/a.csv', records: 0, bytes: 0 });

    const hide = stderr.showProgress(metrics);
    metrics.pages = 2;
    metrics.recordsRead = 50;
    stderr.write('warn: page 3: HTTP 429, waiting 1s\n');
    await sleep(450);
    hide();
    const drawn = terminal.text;
    stderr.write('info: done\n');

    expect(drawn).toMatch(/2 pages · 50 records · \d+ records\/s · 0 duplicates dropped · 0:00 · file:out\/a\.csv 0 B/);
    expect(drawn).toContain('warn: page 3: HTTP 429, waiting 1s\n');
    expect(drawn.indexOf('warn: page 3')).toBeLessThan(drawn.lastIndexOf('2 pages'));
    expect(drawn.endsWith(`${ESCAPE}[0J`)).toBe(true); // cleared from the line down
    expect(terminal.text.slice(drawn.length)).toBe('info: done\n');
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
