import type { ByteTarget } from './byte-target';

/** Where a sink's outputs live (a folder, a bucket, stdout): checked once, then asked for one target per output. */
export interface Destination {
  /** How an output's name is shown: the path, or `s3://bucket/key`. */
  describe(name: string): string;
  /** Checks, before the source's first request, that outputs can be written; takes what they need. */
  open(): Promise<void>;
  /** Starts the output at `name` (a path or key with every placeholder filled in). */
  create(name: string): Promise<ByteTarget>;
  /**
   * Resumable destinations: makes the outputs created so far findable by another process (a file
   * destination marks its temporary folder as a checkpoint's, so no later run removes it as stale).
   */
  checkpoint?(): Promise<unknown>;
  /** In place of `open`, in another process: takes the destination's checkpoint back. */
  resume?(position: unknown): Promise<void>;
  /** Reopens the output `name` at its target's checkpoint: what was written after it is dropped, writes append. */
  reopen?(name: string, position: unknown): Promise<ByteTarget>;
  /** Gives back what `open` took, once every output is committed or discarded. Never throws. */
  release(): Promise<void>;
}
