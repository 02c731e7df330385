import { lastValueFrom, toArray } from 'rxjs';
import type { LogLevel } from '../../../src/logger';
import { RunMetrics } from '../../../src/pipeline/run-metrics';
import type { DataRecord } from '../../../src/record';
import { createHttpSource, type HttpSourceOptions } from '../../../src/sources/http/http-source';

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

export interface SourceRun {
  readonly records: DataRecord[];
  readonly metrics: RunMetrics;
  readonly logs: LogLine[];
  readonly elapsedMs: number;
}

/** Runs an HTTP source to the end with sinks that take everything at once (or after `demandDelayMs`), counting pages and records as the runner does. */
export async function runSource(options: HttpSourceOptions, { demandDelayMs = 0, onDemand }: { demandDelayMs?: number; onDemand?: () => void } = {}): Promise<SourceRun> {
  const metrics = new RunMetrics();
  const logs: LogLine[] = [];
  const started = Date.now();
  const records = await lastValueFrom(
    createHttpSource(options)({
      metrics,
      // Info and above, as a run shows by default: the per-request debug lines are left out.
      logger: { enabled: (level) => level !== 'debug', log: (level, message, fields) => level !== 'debug' && logs.push({ level, message, fields }) },
      demand: async (mark) => {
        if (mark) metrics.pages = Math.max(metrics.pages, mark.index);
        onDemand?.();
        if (demandDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, demandDelayMs));
      },
    }).pipe(toArray()),
  );
  metrics.recordsRead = records.length;
  return { records, metrics, logs, elapsedMs: Date.now() - started };
}

/** The error a source run fails with. */
export async function runSourceError(options: HttpSourceOptions): Promise<Error & { code?: string; details?: { status?: number; url?: string } }> {
  try {
    await runSource(options);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the run to fail');
}

/** Short retry delays so tests stay fast. */
export const fastRetry = { attempts: 3, baseDelay: '10ms', maxDelay: '50ms' };
