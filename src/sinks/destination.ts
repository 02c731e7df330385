import type { ByteTarget } from './byte-target';

/** Where a sink's outputs live (a folder, a bucket, stdout): checked once, then asked for one target per output. */
export interface Destination {
  /** How an output's name is shown: the path, or `s3://bucket/key`. */
  describe(name: string): string;
  /** Checks, before the source's first request, that outputs can be written; takes what they need. */
  open(): Promise<void>;
  /** Starts the output at `name` (a path or key with every placeholder filled in). */
  create(name: string): Promise<ByteTarget>;
  /** Gives back what `open` took, once every output is committed or discarded. Never throws. */
  release(): Promise<void>;
}
