import { StateError } from '../errors/state-error';
import type { Logger } from '../logger';
import type { OperatorState } from '../pipeline/operator-state';
import type { RunCheckpoint } from './state-document';
import type { StateStore } from './state-store';

type SavedOperators = NonNullable<RunCheckpoint['operators']>;

/**
 * How a run's checkpoints keep its stateful operators: appended to the store's journals, one per
 * operator and run, with only what each checkpoint adds (a checkpoint then costs what its pages
 * added, not everything seen so far); in a store without journals, whole in the document, base64.
 */
export class OperatorCheckpoints {
  /** Bytes in each operator's journal so far, by operator name. */
  private readonly lengths = new Map<string, number>();

  constructor(
    private readonly store: StateStore,
    private readonly runId: string,
  ) {}

  /** Reads back what a checkpoint of this run saved, for `OperatorState.resumeFrom`; later checkpoints append after it. */
  async load(saved: SavedOperators = {}): Promise<Record<string, Uint8Array>> {
    const entries = await Promise.all(
      Object.entries(saved).map(async ([name, entry]): Promise<[string, Uint8Array]> => {
        const { journals } = this.store;
        if (typeof entry === 'string') {
          const bytes = Buffer.from(entry, 'base64');
          // Kept whole in the document (by a store without journals then): into the journal first, so later checkpoints append after it.
          if (journals && bytes.length > 0) await journals.append(this.journalOf(name), 0, bytes);
          this.lengths.set(name, bytes.length);
          return [name, bytes];
        }
        if (!journals) throw new StateError(this.store.location, `the checkpoint keeps ${name} in journal ${entry.journal}, which this store does not have: run with --fresh`);
        this.lengths.set(name, entry.bytes);
        return [name, entry.bytes === 0 ? new Uint8Array() : await journals.read(entry.journal, entry.bytes)];
      }),
    );
    return Object.fromEntries(entries);
  }

  /**
   * Saves the operators' state as it is now, durably; resolves with what the checkpoint's document
   * records of it. The state is taken before this returns: what the operators see afterwards is not in it.
   */
  save(state: OperatorState | undefined): Promise<SavedOperators> {
    if (!state) return Promise.resolve({});
    const { journals } = this.store;
    if (!journals) return Promise.resolve(Object.fromEntries(Object.entries(state.save()).map(([name, bytes]) => [name, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')])));
    const appends: Promise<void>[] = [];
    const saved: SavedOperators = {};
    for (const [name, added] of Object.entries(state.takeAdded())) {
      const journal = this.journalOf(name);
      const offset = this.lengths.get(name) ?? 0;
      if (added.length > 0) appends.push(journals.append(journal, offset, added));
      this.lengths.set(name, offset + added.length);
      saved[name] = { journal, bytes: offset + added.length };
    }
    return Promise.all(appends).then(() => saved);
  }

  private journalOf(operator: string): string {
    return `${this.runId}.${operator.replace(/[^\w.-]/g, '-')}`;
  }
}

/** Removes the journals of runs that are over; a store that fails to is only a warning, as the next checkpointing run tries again. */
export async function clearJournals(store: StateStore, logger: Logger): Promise<void> {
  try {
    await store.journals?.clear();
  } catch (error) {
    logger.log('warn', `state ${store.location}: could not remove the journals of earlier checkpoints: ${error instanceof Error ? error.message : String(error)}`);
  }
}
