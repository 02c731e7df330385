import { z } from 'zod';
import { StateError } from '../errors/state-error';

/** Written into every state document; a document of another format is refused, never guessed at. */
export const STATE_FORMAT = 'pageflow-state/1';

const instantText = z.iso.datetime({ offset: true });

/** Records read at one cursor value (at or after the cursor minus `lookback`), by identity. */
const seenGroup = z.strictObject({
  /** The value as the API sent it. */
  value: z.string(),
  /** 128-bit SHA-256 digests (base64url) of the records' identities: never the records themselves. */
  keys: z.array(z.string()),
});

const cursorState = z.strictObject({
  field: z.string(),
  kind: z.enum(['instant', 'number']),
  /** The highest value read, as the API sent it (a number as its digits). */
  value: z.string(),
  /** What the next run needs to tell records it already exported from new ones at or before `value`. */
  seen: z.array(seenGroup),
});

const outputFigures = z.strictObject({ name: z.string(), records: z.number(), bytes: z.number() });

const lastRun = z.strictObject({
  runId: z.string(),
  startedAt: instantText,
  finishedAt: instantText,
  pages: z.number(),
  recordsRead: z.number(),
  outputs: z.array(outputFigures),
  /** The cursor before and after the run (incremental runs only). */
  cursor: z.strictObject({ from: z.string().optional(), to: z.string() }).optional(),
});

/**
 * Where an unfinished run stands, saved every `checkpoint.every` pages once every sink holds those
 * pages durably. Written by resumable runs (`checkpoint:`); shown by `pageflow state`.
 */
const checkpoint = z.strictObject({
  runId: z.string(),
  startedAt: instantText,
  savedAt: instantText,
  /** Pages every sink holds durably; the run goes on with the page after. */
  pages: z.number(),
  /** The source's `PageMark.resume` after that page: the next request. */
  resume: z.unknown(),
  /** Digests of the definition's settings by path (secrets left out): a changed one is named, not guessed at. */
  definition: z.record(z.string(), z.string()),
  /** Each sink's committed position (byte offset and encoder state, multipart upload id and parts). */
  sinks: z.array(z.strictObject({ name: z.string(), position: z.unknown() })),
  /** The incremental cursor so far. */
  cursor: cursorState.optional(),
  /**
   * The stateful operators' state (the keys each dedup has seen), by `dedup#1`…: the length of its
   * journal in the store (`StateJournals`), or, in a store without journals, its bytes in base64.
   */
  operators: z.record(z.string(), z.union([z.string(), z.strictObject({ journal: z.string(), bytes: z.int().nonnegative() })])).optional(),
  /** The run's counters so far, which the resumed run goes on from. */
  counts: z.strictObject({ recordsRead: z.number(), duplicates: z.number(), rejects: z.number(), skipped: z.number().optional() }).optional(),
});

const stateDocument = z.strictObject({
  format: z.literal(STATE_FORMAT),
  pipeline: z.string(),
  updatedAt: instantText,
  cursor: cursorState.optional(),
  lastRun: lastRun.optional(),
  unfinished: checkpoint.optional(),
});

export type PipelineState = z.infer<typeof stateDocument>;
export type CursorState = z.infer<typeof cursorState>;
export type LastRun = z.infer<typeof lastRun>;
export type RunCheckpoint = z.infer<typeof checkpoint>;

/** A state document as text: stable, and readable by people. */
export function serializeState(state: PipelineState): string {
  return `${JSON.stringify(stateDocument.parse(state), null, 2)}\n`;
}

/** Reads a state document; anything else (damaged, another format) is a `StateError` naming the place and problem. */
export function parseState(text: string, location: string): PipelineState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StateError(location, `is not a state document: ${(error as Error).message} (reset it with pageflow state --reset)`, { cause: error });
  }
  const parsed = stateDocument.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new StateError(location, `is not a ${STATE_FORMAT} document${where}: ${issue.message} (reset it with pageflow state --reset)`);
}
