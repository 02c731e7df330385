/** What each placeholder of an S3 key stands for, computed from the time the run started (UTC). */
const PLACEHOLDERS: Record<string, (startedAt: Date) => string> = {
  /** `2026-11-29` */
  date: (startedAt) => startedAt.toISOString().slice(0, 10),
  /** ISO 8601 basic format, `20261129T031502Z`: sorts by time and has no `:` to escape. */
  timestamp: (startedAt) => startedAt.toISOString().replace(/\.\d+/, '').replace(/[-:]/g, ''),
};

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The placeholders a key template uses that `resolveObjectKey` does not know, e.g. `['dat']` for `a-{dat}.csv`. */
export function unknownKeyPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1]).filter((name) => !(name in PLACEHOLDERS));
}

/** Fills `{date}` and `{timestamp}` in an object key, so every run of a pipeline writes its own object. */
export function resolveObjectKey(template: string, startedAt: Date): string {
  return template.replace(PLACEHOLDER, (match, name: string) => PLACEHOLDERS[name]?.(startedAt) ?? match);
}

export const KEY_PLACEHOLDER_NAMES = Object.keys(PLACEHOLDERS);
