import type { Sample } from './processes';

/** One subject's timed runs in one mode, summarised. */
export interface Summary {
  readonly runs: number;
  readonly wallMs: { readonly min: number; readonly median: number; readonly max: number };
  readonly peakRssMiB: { readonly median: number; readonly max: number };
  readonly records?: number;
  /** The most API requests one run made. */
  readonly requests?: number;
  /** Medians of what the task reported. */
  readonly figures?: Readonly<Record<string, number>>;
}

export interface TimedSample extends Sample {
  /** API requests the run made. */
  readonly requests?: number;
}

export function summarize(samples: readonly TimedSample[]): Summary {
  const walls = samples.map((sample) => sample.wallMs);
  const rss = samples.map((sample) => sample.peakRssMiB);
  const requests = samples.flatMap((sample) => (sample.requests === undefined ? [] : [sample.requests]));
  const names = [...new Set(samples.flatMap((sample) => Object.keys(sample.figures ?? {})))];
  return {
    runs: samples.length,
    wallMs: { min: Math.min(...walls), median: median(walls), max: Math.max(...walls) },
    peakRssMiB: { median: median(rss), max: Math.max(...rss) },
    records: samples[0]?.records,
    requests: requests.length > 0 ? Math.max(...requests) : undefined,
    figures: names.length > 0 ? Object.fromEntries(names.map((name) => [name, median(samples.map((sample) => sample.figures?.[name] ?? Number.NaN))])) : undefined,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
