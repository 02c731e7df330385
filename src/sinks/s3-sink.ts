import { z } from 'zod';
import { loadEncoder, MEDIA_TYPES } from '../formats/format';
import { encoderOptions, formatOf, formatOptionFields, requireKnownFormat } from '../formats/format-options';
import { type Logger, silentLogger } from '../logger';
import { defineSink } from '../pipeline/component';
import { parseByteSize } from './byte-size';
import { createRunId, OutputPath } from './output-path';
import { OutputSink } from './output-sink';
import type { S3Destination } from './s3/s3-destination';
import type { Sink } from './sink';
import { checkSplitOptions, splitOptionFields, splitSettings } from './split-options';

const MiB = 1024 * 1024;
/** S3's limits on a multipart upload's parts: at least 5 MiB (but the last), at most 5 GiB. */
export const PART_SIZE_RANGE = { min: 5 * MiB, max: 5 * 1024 * MiB };
const S3_SINK_DEFAULTS = { partSize: 8 * MiB, queueSize: 4 } as const;

/** Keys that look like credentials: the file must not hold them, whatever they are called. */
const CREDENTIAL_KEY = /access|secret|token|credential|password/i;

export const s3SinkConfig = z
  .strictObject(
    {
      type: z.literal('s3'),
      bucket: z
        .string()
        .regex(/^[^/\s]+$/, 'expected a bucket name (no s3://, slashes or spaces): put the path in key')
        .meta({ description: 'Bucket to write to.', examples: ['exports'], secret: false }),
      key: z
        .string()
        .min(1)
        .meta({
          description: `Object key. {date} is the run's start date (UTC, YYYY-MM-DD), {timestamp} its start time (ISO basic, 20261129T031502Z), {runId} the run's id; {part} numbers the parts (5 digits, per partition), {record.<field>} is a value of each record (URL-encoded; __null__ when missing or empty). The extension picks the format; .gz compresses CSV and NDJSON.`,
          examples: ['customers/customers-{date}.csv.gz', 'exports/customers-{timestamp}.ndjson', 'lake/customers/integration={record.integration}/dt={date}/part-{part}.parquet'],
          secret: false,
        }),
      region: z.string().min(1).optional().meta({ description: 'AWS region. Default: the AWS default chain (AWS_REGION, the shared config file).', secret: false }),
      endpoint: z
        .union([z.literal(''), z.url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. http://127.0.0.1:9000' })])
        .optional()
        .meta({
          description: 'URL of an S3-compatible store (MinIO, R2, Ceph…). Empty or absent: AWS itself.',
          examples: ['${S3_ENDPOINT:-}', 'http://127.0.0.1:9000'],
          secret: 'url',
        }),
      forcePathStyle: z.boolean().optional().meta({ description: 'Address buckets as endpoint/bucket/key instead of bucket.endpoint/key; most S3-compatible stores need it.' }),
      checksums: z
        .enum(['WHEN_SUPPORTED', 'WHEN_REQUIRED'])
        .optional()
        .meta({ description: 'When the SDK adds checksums to requests and checks them in responses. Default: WHEN_REQUIRED with an endpoint, else the SDK default (WHEN_SUPPORTED).' }),
      partSize: z
        .union([z.int(), z.string()])
        .optional()
        .meta({ description: 'Size of each uploaded part, in bytes or with a unit (MiB, GiB). 5 MiB to 5 GiB; at most 10,000 parts make an object. Default: 8MiB.', examples: ['16MiB'] }),
      queueSize: z.int().min(1).max(64).optional().meta({ description: 'Parts uploading at once. Memory grows with partSize × (queueSize + 1), never with the size of the export. Default: 4.' }),
      ...formatOptionFields,
      ...splitOptionFields,
    },
    {
      error: (issue) => {
        const credentials = issue.code === 'unrecognized_keys' ? issue.keys.filter((key) => CREDENTIAL_KEY.test(key)) : [];
        if (credentials.length === 0) return undefined;
        return `credentials are never read from pipeline files (found ${credentials.map((key) => `"${key}"`).join(', ')}): use the AWS default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance or task role)`;
      },
    },
  )
  .superRefine(requireKnownFormat('key'))
  .superRefine(checkSplitOptions('key'))
  .superRefine((config, context) => {
    if (config.partSize === undefined) return;
    const partSize = parseByteSize(config.partSize);
    if (partSize === undefined || partSize < PART_SIZE_RANGE.min || partSize > PART_SIZE_RANGE.max) {
      context.addIssue({ code: 'custom', path: ['partSize'], message: `expected a size from 5MiB to 5GiB (e.g. 8MiB or 8388608), got ${JSON.stringify(config.partSize)}` });
    }
  });

export type S3SinkOptions = Omit<z.input<typeof s3SinkConfig>, 'type'>;

export interface S3SinkContext {
  /** Fills the key's {date} and {timestamp}. @default now */
  readonly startedAt?: Date;
  /** Fills the key's {runId}. @default a new id */
  readonly runId?: string;
  /** Gets the SDK's warnings and the debug notes of cleanups that failed. @default silent */
  readonly logger?: Logger;
  /** The run saves checkpoints: uploads are made so that another process can resume them. @default false */
  readonly checkpoints?: boolean;
}

/**
 * Uploads a CSV, NDJSON (gzipped for `.gz`) or Parquet export to S3 objects as multipart uploads,
 * streamed while records arrive: one object, or one per part and partition with {part} or
 * {record.…} in the key. The objects appear only when the run succeeds (an object closed earlier to
 * keep `maxOpenPartitions` is deleted if the run then fails); credentials come from the AWS default chain.
 */
export function createS3Sink(options: S3SinkOptions, { startedAt = new Date(), runId = createRunId(startedAt), logger = silentLogger, checkpoints = false }: S3SinkContext = {}): Sink {
  const path = new OutputPath(options.key, { startedAt, runId });
  const name = `s3://${options.bucket}/${path.template}`;
  const partSize = options.partSize === undefined ? S3_SINK_DEFAULTS.partSize : parseByteSize(options.partSize);
  if (partSize === undefined) throw new RangeError(`${name}: partSize ${JSON.stringify(options.partSize)} is not a size such as 8MiB`);
  const { format, gzip } = formatOf(options.key, options.format);
  const encoder = encoderOptions(options);
  const settings = {
    name,
    bucket: options.bucket,
    client: options,
    contentType: MEDIA_TYPES[format],
    contentEncoding: gzip ? 'gzip' : undefined,
    partSize,
    queueSize: options.queueSize ?? S3_SINK_DEFAULTS.queueSize,
    logger,
    resumable: checkpoints,
  };
  let loaded: Promise<S3Destination> | undefined;
  // The AWS SDK adds about 20 MiB to every process that loads it: load it when an S3 sink opens, not with the registry.
  const destination = () => (loaded ??= import('./s3/s3-destination').then(({ S3Destination }) => new S3Destination(settings)));
  return new OutputSink({
    name,
    path,
    destination: {
      describe: (key) => `s3://${options.bucket}/${key}`,
      open: async () => (await destination()).open(),
      create: async (key) => (await destination()).create(key),
      checkpoint: async () => (await destination()).checkpoint(),
      resume: async () => (await destination()).resume(),
      reopen: async (key, position) => (await destination()).reopen(key, position),
      release: async () => (loaded ? (await loaded).release() : undefined),
    },
    encoder: (counters, resumeFrom) => loadEncoder(format, { ...encoder, counters, resumeFrom }),
    gzip,
    split: splitSettings(options),
    resumable: format !== 'parquet' && !path.partitioned && !path.parted,
  });
}

export const s3Sink = defineSink({
  type: 's3',
  summary: 'Uploads CSV, NDJSON (gzip by .gz) or Parquet to S3 or S3-compatible objects, split by size or by record values if asked, which appear only when the run succeeds.',
  config: s3SinkConfig,
  create: ({ type: _type, ...options }, context) => createS3Sink(options, context),
});
