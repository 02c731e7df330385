import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/;

/** `500ms`, `2s`, `1.5m`, `1h` → milliseconds; `undefined` when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = PATTERN.exec(text);
  return match ? Math.round(Number(match[1]) * UNIT_MS[match[2]]) : undefined;
}

/** Formats milliseconds for messages: `450ms`, `1.2s`, `2m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  return `${Number((ms / 60_000).toFixed(1))}m`;
}

/**
 * A duration option: a string with a unit (`500ms`, `2s`, `1m`, `1h`) or a number of milliseconds.
 * Parses to milliseconds, so a parsed config parses again to itself.
 */
export const duration = z
  .union([
    z.number().nonnegative(),
    z.string().regex(PATTERN, { error: (issue) => `expected a duration such as 500ms, 2s or 1m, got ${JSON.stringify(issue.input)}` }),
  ])
  .transform((value) => (typeof value === 'number' ? value : parseDuration(value)!))
  .meta({ secret: false });
