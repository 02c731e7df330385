/** What one stateful operator (a dedup's key set) keeps across a resume. */
export interface OperatorStatePart {
  /** Its state as JSON, between two records. */
  save(): unknown;
  /** Takes back what `save` returned in an earlier process. */
  restore(saved: unknown): void;
}

/**
 * The state of a run's stateful operators, for checkpoints: each registers itself by kind when it
 * starts (`dedup#1`, `dedup#2` in pipe order, the same in every run of one definition) and is
 * restored at once when the run resumes a checkpoint that holds its state.
 */
export class OperatorState {
  private readonly parts = new Map<string, OperatorStatePart>();
  private saved: Readonly<Record<string, unknown>> = {};

  /** The operators' states of the checkpoint being resumed; call before the run starts. */
  resumeFrom(saved: Readonly<Record<string, unknown>>): void {
    this.saved = saved;
  }

  register(kind: string, part: OperatorStatePart): void {
    let number = 1;
    while (this.parts.has(`${kind}#${number}`)) number += 1;
    const name = `${kind}#${number}`;
    this.parts.set(name, part);
    if (name in this.saved) part.restore(this.saved[name]);
  }

  save(): Record<string, unknown> {
    return Object.fromEntries([...this.parts].map(([name, part]) => [name, part.save()]));
  }
}
