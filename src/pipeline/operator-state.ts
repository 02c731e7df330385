/** What one stateful operator (a dedup's key set) keeps across a resume: bytes that only grow. */
export interface OperatorStatePart {
  /** Its whole state, between two records. */
  save(): Uint8Array;
  /**
   * What was added since the last `save`, `takeAdded` or `restore` (everything, before any): put
   * after what those gave, it restores the part. A checkpoint appends it to a journal.
   */
  takeAdded(): Uint8Array;
  /** Takes back what `save` gave, or the `takeAdded`s one after another, in an earlier process. */
  restore(saved: Uint8Array): void;
}

/**
 * The state of a run's stateful operators, for checkpoints: each registers itself by kind when it
 * starts (`dedup#1`, `dedup#2` in pipe order, the same in every run of one definition) and is
 * restored at once when the run resumes a checkpoint that holds its state.
 */
export class OperatorState {
  private readonly parts = new Map<string, OperatorStatePart>();
  private saved: Readonly<Record<string, Uint8Array>> = {};

  /** The operators' states of the checkpoint being resumed; call before the run starts. */
  resumeFrom(saved: Readonly<Record<string, Uint8Array>>): void {
    this.saved = saved;
  }

  register(kind: string, part: OperatorStatePart): void {
    let number = 1;
    while (this.parts.has(`${kind}#${number}`)) number += 1;
    const name = `${kind}#${number}`;
    this.parts.set(name, part);
    if (name in this.saved) part.restore(this.saved[name]);
  }

  /** Every part's whole state, by name. */
  save(): Record<string, Uint8Array> {
    return Object.fromEntries([...this.parts].map(([name, part]) => [name, part.save()]));
  }

  /** What every part added since the last `save`, `takeAdded` or restore, by name. */
  takeAdded(): Record<string, Uint8Array> {
    return Object.fromEntries([...this.parts].map(([name, part]) => [name, part.takeAdded()]));
  }
}
