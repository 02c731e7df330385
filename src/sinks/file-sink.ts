import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { encoderFor, formatOptionFields, requireKnownFormat } from '../formats/format-options';
import { defineSink } from '../pipeline/component';
import { type ByteTarget, gzipInto } from './byte-target';
import { EncodedSink } from './encoded-sink';
import type { Sink } from './sink';

export const fileSinkConfig = z
  .strictObject({
    type: z.literal('file'),
    path: z.string().min(1).meta({
      description: 'Output file. Written to a temporary file beside it and renamed into place only when the run succeeds.',
      examples: ['out/customers.csv', 'out/customers.ndjson.gz'],
      secret: false,
    }),
    ...formatOptionFields,
  })
  .superRefine(requireKnownFormat('path'));

export type FileSinkOptions = Omit<z.input<typeof fileSinkConfig>, 'type'>;

/** Writes a CSV or NDJSON file (gzipped for `.gz`), atomically: readers see the old file or the complete new one. */
export function createFileSink(options: FileSinkOptions): Sink {
  const { encoder, gzip } = encoderFor(options.path, options);
  return new EncodedSink(`file:${options.path}`, encoder, () => openFileTarget(options.path, gzip));
}

async function openFileTarget(path: string, gzip: boolean): Promise<ByteTarget> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const file = createWriteStream(temporary, { flags: 'wx' });
  await once(file, 'open');
  const { stream, done } = gzip ? gzipInto(file) : { stream: file, done: finished(file) };
  done.catch(() => {}); // awaited by commit; a failure meanwhile surfaces through the next write
  return {
    stream,
    async commit() {
      stream.end();
      await done;
      await rename(temporary, path);
    },
    async discard() {
      stream.destroy();
      file.destroy();
      await rm(temporary, { force: true });
    },
  };
}

export const fileSink = defineSink({
  type: 'file',
  summary: 'Writes a local CSV or NDJSON file (gzip by .gz), replaced atomically when the run succeeds.',
  config: fileSinkConfig,
  create: ({ type: _type, ...options }) => createFileSink(options),
});
