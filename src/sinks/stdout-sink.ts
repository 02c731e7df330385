import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import { createEncoder } from '../formats/format';
import { encoderOptions, textFormatFields } from '../formats/format-options';
import { defineSink } from '../pipeline/component';
import { EncodedSink } from './encoded-sink';
import type { Sink } from './sink';

export const stdoutSinkConfig = z.strictObject({
  type: z.literal('stdout'),
  ...textFormatFields,
});

export type StdoutSinkOptions = Omit<z.input<typeof stdoutSinkConfig>, 'type'>;

/** Writes records to standard output (NDJSON by default). Only records go there: logs use stderr. */
export function createStdoutSink(options: StdoutSinkOptions = {}, stream: Writable = process.stdout): Sink {
  const encoder = encoderOptions(options);
  let failure: unknown;
  return new EncodedSink('stdout', (counters) => createEncoder(options.format ?? 'ndjson', { ...encoder, counters }), async () => {
    // A closed pipe (`| head`) reports asynchronously; keep it for the next step instead of crashing.
    stream.on('error', (error) => (failure ??= error));
    const check = () => {
      if (failure) throw failure;
    };
    return {
      stream,
      async close() {
        check();
        if (stream.writableNeedDrain) await once(stream, 'drain');
        check();
      },
      async commit() {},
      async discard() {},
    };
  });
}

export const stdoutSink = defineSink({
  type: 'stdout',
  summary: 'Writes records to standard output, NDJSON by default.',
  config: stdoutSinkConfig,
  create: ({ type: _type, ...options }) => createStdoutSink(options),
});
