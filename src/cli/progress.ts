import { MultiBar } from 'cli-progress';
import type { TextOutput } from '../logger';
import type { RunMetrics } from '../pipeline/run-metrics';

/** The CLI's stderr: text for people and, on a terminal, a live progress line kept below it. */
export interface StatusOutput extends TextOutput {
  /** Shows the run's live figures until the returned function is called; does nothing off a terminal. */
  showProgress(metrics: RunMetrics): () => void;
}

/** A `StatusOutput` on a stream; the line is drawn only when the stream is a terminal (not in cron, CI or a pipe). */
export class StderrStatus implements StatusOutput {
  private bars?: MultiBar;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  write(text: string): void {
    // While the line shows, text goes above it; cli-progress prints it at the next redraw.
    if (this.bars) this.bars.log(text);
    else this.stream.write(text);
  }

  showProgress(metrics: RunMetrics): () => void {
    if (!this.stream.isTTY || this.bars) return () => {};
    // A MultiBar (of one line) because only it can print log lines above the live line.
    const bars = new MultiBar({
      stream: this.stream,
      format: () => describeProgress(metrics),
      fps: 5,
      // cli-progress redraws only changed lines, but a log line printed above needs the line drawn again.
      forceRedraw: true,
      clearOnComplete: true,
    });
    bars.create(0, 0);
    this.bars = bars;
    return () => {
      if (this.bars !== bars) return;
      bars.update(); // prints log lines still queued
      bars.stop();
      this.bars = undefined;
    };
  }
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
