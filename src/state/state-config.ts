import { z } from 'zod';
import type { Logger } from '../logger';
import { s3SinkConfig } from '../sinks/s3-sink';
import { duration } from '../sources/http/duration';
import { createFileStateStore } from './file-state-store';
import { REDIS_URL_VARIABLE } from '../fleet/fleet-defaults';
import { StateError } from '../errors/state-error';
import { createRedisStateStore } from './redis-state-store';
import { createS3StateStore } from './s3-state-store';
import { DEFAULT_LEASE_MS } from './state-lock';
import type { StateStore } from './state-store';

const S3_PATH = /^s3:\/\/([^/\s]+)\/(.+)$/;
/** `redis:<key>`: the state in the fleet's Redis (a worker's `--redis`, else `$PAGEFLOW_REDIS_URL`). */
const REDIS_PATH = /^redis:(?!\/\/)(\S+)$/;
const { region, endpoint, forcePathStyle, checksums } = s3SinkConfig.shape;
const S3_OPTIONS = ['region', 'endpoint', 'forcePathStyle', 'checksums'] as const;

/** The pipeline file's top-level `state:`. */
export const stateConfig = z
  .strictObject({
    path: z.string().min(1).meta({
      description:
        'Where the state between runs is kept (the incremental cursor, the last run, the lock): a local file, s3://bucket/key with the S3 options below (credentials from the AWS default chain, as for the S3 sink), or `redis:<key>` in the Redis of the worker running the job (`pageflow run`: `$PAGEFLOW_REDIS_URL`).',
      examples: ['state/customers.json', 's3://exports/state/customers.json', 'redis:customers-${TENANT}'],
    }),
    lease: duration
      .refine((ms) => ms >= 3000, { error: 'expected a lease of at least 3s' })
      .prefault(`${DEFAULT_LEASE_MS / 1000}s`)
      .meta({
        description: 'How long a run holds the lock without renewing it (it renews every third): a run on another host that died is taken over after this. A dead run on the same host is taken over at once.',
        examples: ['60s'],
      }),
    region,
    endpoint,
    forcePathStyle,
    checksums,
  })
  .superRefine((config, context) => {
    if (S3_PATH.test(config.path)) return;
    if (config.path.startsWith('s3:')) return context.addIssue({ code: 'custom', path: ['path'], message: `expected s3://bucket/key, got ${JSON.stringify(config.path)}` });
    const redis = config.path.startsWith('redis:');
    if (redis && !REDIS_PATH.test(config.path)) {
      return context.addIssue({ code: 'custom', path: ['path'], message: `expected redis:<key> (the Redis server is the worker's --redis, or $${REDIS_URL_VARIABLE}), got ${JSON.stringify(config.path)}` });
    }
    for (const option of S3_OPTIONS.filter((name) => config[name] !== undefined && config[name] !== '')) {
      context.addIssue({ code: 'custom', path: [option], message: `${option} applies to s3:// paths only (path is ${redis ? 'in Redis' : 'a local file'})` });
    }
  })
  .meta({ description: 'Keeps what recurring runs need between them: the incremental cursor, the last successful run, and a lock so that two runs never share it.' });

export type StateOptions = z.input<typeof stateConfig>;
export type StateSettings = z.output<typeof stateConfig>;

/**
 * The store a pipeline's `state:` names: a file, an S3 object for s3:// paths, or Redis for redis:
 * paths — at `redisUrl` (a worker's own Redis), else at `$PAGEFLOW_REDIS_URL`.
 */
export function openStateStore(settings: StateSettings, logger: Logger, { redisUrl = process.env[REDIS_URL_VARIABLE] }: { redisUrl?: string } = {}): StateStore {
  const redis = REDIS_PATH.exec(settings.path);
  if (redis) {
    if (!redisUrl) throw new StateError(settings.path, `no Redis server to keep the state in: run the pipeline on a worker (pageflow worker), or set ${REDIS_URL_VARIABLE}`, { code: 'PF_STATE_NO_REDIS' });
    return createRedisStateStore({ url: redisUrl, key: redis[1] });
  }
  const s3 = S3_PATH.exec(settings.path);
  if (!s3) return createFileStateStore(settings.path);
  const { region, endpoint, forcePathStyle, checksums } = settings;
  return createS3StateStore({ bucket: s3[1], key: s3[2], region, endpoint, forcePathStyle, checksums, logger });
}
