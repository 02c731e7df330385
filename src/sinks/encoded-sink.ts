import type { Encoder, EncoderCounters } from '../formats/encoder';
import type { ByteTarget } from './byte-target';
import { OutputPath } from './output-path';
import { OutputSink } from './output-sink';

/**
 * A sink of one output: an encoder writing into a byte target opened on the first write (or at
 * finish, for an empty export). Standard output is one; so is any destination of your own.
 */
export class EncodedSink extends OutputSink {
  /** `encoder` may be a function of the counters the sink's metrics hold (what `unknownColumns: drop` dropped). */
  constructor(name: string, encoder: Encoder | ((counters: EncoderCounters) => Encoder), openTarget: () => Promise<ByteTarget>) {
    super({
      name,
      path: new OutputPath(name.replace(/[{}]/g, '_'), { startedAt: new Date(0), runId: '' }),
      destination: { describe: () => name, open: async () => {}, create: openTarget, release: async () => {} },
      encoder: async (counters) => (typeof encoder === 'function' ? encoder(counters) : encoder),
      gzip: false,
      split: { maxOpenPartitions: 1 },
    });
  }
}
