import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { PageMark } from '../sources/source';

/** What a step waits on: the sink side of the run (`SinkStage`). */
interface Drain {
  flush(): Promise<void>;
}

/**
 * The source/sink handshake as the steps in between see it. RxJS has no backpressure: the source
 * asks for its next page only once the sinks took its last one, but a step that works on records
 * asynchronously (child requests) holds records the sinks have not seen. Such a step holds the
 * source back (`hold`) until its backlog is small, and paces its own reads on the sinks (`sinksTook`).
 * Built with the pipeline, connected to the sinks when it runs (like `RejectRouter`).
 */
export class StepFlow {
  private readonly holds = new Set<() => Promise<void>>();
  private drain?: Drain;
  private pagesAsked = 0;

  connect(drain: Drain): () => void {
    this.drain = drain;
    this.pagesAsked = 0;
    return () => {
      if (this.drain === drain) this.drain = undefined;
    };
  }

  /** Delays every `demand` of the source until `settled` resolves; returns the release. */
  hold(settled: () => Promise<void>): () => void {
    this.holds.add(settled);
    return () => this.holds.delete(settled);
  }

  /** The page the source's records arriving now belong to (1 until its first `demand`). */
  sourcePage(): number {
    return this.pagesAsked + 1;
  }

  /** Called by the run before passing the source's `demand` to the sinks. */
  async beforeDemand(mark?: PageMark): Promise<void> {
    if (this.holds.size === 0) return;
    // Lets promise-based steps before the holding one (JSONata) deliver the page's records first.
    await nextMacrotask();
    this.pagesAsked = mark?.index ?? this.pagesAsked + 1;
    for (const settled of [...this.holds]) await settled();
  }

  /** Resolves once the sinks wrote every record that reached them. */
  sinksTook(): Promise<void> {
    return this.drain?.flush() ?? Promise.resolve();
  }
}
