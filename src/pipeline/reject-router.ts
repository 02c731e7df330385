import type { DataRecord } from '../record';
import type { RejectChannel } from './component';

/**
 * The reject channel operators are built with: it passes each reject on to the run that is going on
 * (`runPipeline` connects it to its sink stage), so operators can be built before the run exists.
 */
export class RejectRouter implements RejectChannel {
  private target?: RejectChannel;

  reject(record: DataRecord, step: string, error: unknown): void {
    if (!this.target) throw new Error(`${step} rejected a record outside of a run`);
    this.target.reject(record, step, error);
  }

  /** Sends rejects to `target` until the returned function is called. */
  connect(target: RejectChannel): () => void {
    this.target = target;
    return () => {
      if (this.target === target) this.target = undefined;
    };
  }
}
