import type { TextOutput } from '../logger';
import type { RunMetrics } from '../pipeline/run-metrics';

/** The CLI's stderr: text for people and, on a terminal, a live progress line kept below it. */
export interface StatusOutput extends TextOutput {
  /** Shows the run's live figures until the returned function is called; does nothing off a terminal. */
  showProgress(metrics: RunMetrics): () => void;
}

/** Redraws per second. */
const FPS = 5;
/** Back to the start of the line and erase it. */
const CLEAR_LINE = '\r\u001b[2K';

/**
 * A `StatusOutput` on a stream; the line is drawn only when the stream is a terminal (not in cron,
 * CI or a pipe). Text written while it shows is written in its place (the line is erased first,
 * then drawn again below the text), so the two never share a line; the line is cut to the
 * terminal's width, so it never wraps onto a second line that erasing would leave behind.
 */
export class StderrStatus implements StatusOutput {
  private draw?: () => void;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  write(text: string): void {
    if (!this.draw) {
      this.stream.write(text);
      return;
    }
    this.stream.write(`${CLEAR_LINE}${text}`);
    this.draw();
  }

  showProgress(metrics: RunMetrics): () => void {
    if (!this.stream.isTTY || this.draw) return () => {};
    const draw = () => this.stream.write(`${CLEAR_LINE}${fitWidth(describeProgress(metrics), (this.stream.columns || 80) - 1)}`);
    this.draw = draw;
    draw();
    const timer = setInterval(draw, 1000 / FPS).unref();
    return () => {
      if (this.draw !== draw) return;
      clearInterval(timer);
      this.draw = undefined;
      this.stream.write(CLEAR_LINE);
    };
  }
}

/** `text` cut to `width` characters, ending in `…` when cut. */
export function fitWidth(text: string, width: number): string {
  const characters = [...text];
  if (characters.length <= width) return text;
  return width <= 0 ? '' : `${characters.slice(0, width - 1).join('')}…`;
}

/** `12 pages · 300 records · 150 records/s · 3 duplicates dropped · 0:02 · file:out/customers.csv 41.2 kB` */
export function describeProgress(metrics: RunMetrics): string {
  const elapsedMs = metrics.elapsedMs();
  const rate = elapsedMs > 0 ? Math.round((metrics.recordsRead * 1000) / elapsedMs) : 0;
  return [
    `${metrics.pages} pages`,
    `${metrics.recordsRead} records`,
    `${rate} records/s`,
    `${metrics.duplicates} duplicates dropped`,
    formatElapsed(elapsedMs),
    ...metrics.sinks.map((sink) => `${sink.name} ${formatBytes(sink.bytes)}`),
  ].join(' · ');
}

/** `0:07`, `12:03`, `1:02:03`. */
export function formatElapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const twoDigits = (value: number) => String(value).padStart(2, '0');
  return hours > 0 ? `${hours}:${twoDigits(minutes)}:${twoDigits(seconds)}` : `${minutes}:${twoDigits(seconds)}`;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Decimal units, as file managers show sizes: `812 B`, `41.2 kB`, `3.1 MB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
