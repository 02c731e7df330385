import { z } from 'zod';
import { FORMATS } from '../formats/format';
import { formatOf } from '../formats/format-options';

/** The pipeline file's top-level `checkpoint:`. */
export const checkpointConfig = z
  .strictObject({
    every: z.int().min(1).meta({
      description: 'Save a checkpoint after every this many pages, once every sink holds them durably (files fsync’d, S3 parts uploaded). A resumed run requests at most this many pages (plus those in flight) again.',
      examples: [10],
    }),
  })
  .meta({
    description:
      'Makes a run resumable: a run that dies (killed, a lost machine, the API gone past its retries) is resumed by the next `pageflow run` from its last checkpoint, and the outputs are byte for byte those of a run that never stopped. Needs `state`; every sink must be a file or S3 sink of CSV or NDJSON with one output.',
  });

export type CheckpointSettings = z.output<typeof checkpointConfig>;

/** Why a sink of a pipeline file cannot resume exactly, or undefined when it can (or is not a built-in whose options tell). */
export function checkpointRefusal(sink: Readonly<Record<string, unknown>>): string | undefined {
  if (sink.type === 'stdout') return 'a stdout sink cannot resume: what it wrote cannot be reopened; write to a file or S3 sink, or remove checkpoint';
  if (sink.type !== 'file' && sink.type !== 's3') return undefined;
  const name = String(sink.type === 'file' ? sink.path : sink.key);
  if (/\{(part|record\.[^}]*)\}/.test(name)) return `${sink.type === 'file' ? 'path' : 'key'} ${name} splits the output ({part}, {record.…}), which cannot resume: write one output, or remove checkpoint`;
  if (formatOf(name, FORMATS.find((format) => format === sink.format)).format === 'parquet') {
    return 'Parquet cannot resume exactly (its row groups and footer describe the whole file): write CSV or NDJSON, or remove checkpoint';
  }
  return undefined;
}
