import type { Task } from '../harness/bench-case';
import { type KeyShape, measureDedupBytesPerKey } from '../dedup-memory';

export interface DedupBytesArgs {
  readonly keys: number;
  readonly shape: KeyShape;
  readonly hash: boolean;
}

/** Bytes the dedup operator holds per distinct key (the child runs with `--expose-gc`). */
export const task: Task<DedupBytesArgs> = async ({ keys, shape, hash }) => async () => ({
  records: keys,
  figures: { bytesPerKey: await measureDedupBytesPerKey(keys, shape, hash) },
});
