import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Subject } from 'rxjs';
import { sampleCustomer } from '../src/demo/sample-api';
import { dedupBy } from '../src/operators/dedup-by';
import type { DataRecord } from '../src/record';

export type KeyShape = 'sample-id' | 'uuid';

/**
 * Bytes the dedup operator holds per distinct key: heap plus typed-array memory after a full GC,
 * with `keys` records pushed through it page by page (parsed from JSON, as the HTTP source does) and
 * everything but the operator's state left to the collector. Needs `--expose-gc`.
 */
export async function measureDedupBytesPerKey(keys: number, shape: KeyShape, hash: boolean): Promise<number> {
  const gc = globalThis.gc;
  if (!gc) throw new Error('run with --expose-gc');
  // Array buffers are swept after the GC that found them dead: give the sweeper time before reading the figures.
  const collect = async () => {
    gc();
    await delay(100);
    gc();
  };
  const input$ = new Subject<DataRecord>();
  let kept = 0;
  const subscription = input$.pipe(dedupBy('id', { hash })).subscribe(() => (kept += 1));
  await collect();
  const before = heldBytes();
  for (let first = 0; first < keys; first += 1000) {
    const page: DataRecord[] = [];
    for (let index = first; index < Math.min(first + 1000, keys); index += 1) {
      page.push({ id: shape === 'uuid' ? randomUUID() : sampleCustomer(index).id });
    }
    for (const record of JSON.parse(JSON.stringify(page)) as DataRecord[]) input$.next(record);
  }
  await collect();
  const bytesPerKey = (heldBytes() - before) / keys;
  if (kept !== keys) throw new Error(`expected ${keys} distinct keys, dedup kept ${kept}`);
  subscription.unsubscribe();
  return bytesPerKey;
}

function heldBytes(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}
