import type { S3Client } from '@aws-sdk/client-s3';
import { StateError } from '../errors/state-error';
import { type Logger, silentLogger } from '../logger';
import { describeS3Error, s3HttpStatus } from '../sinks/s3/describe-s3-error';
import type { S3ClientSettings } from '../sinks/s3/s3-client';
import { parseState, type PipelineState, serializeState } from './state-document';
import { type LockHolder, type LockState, parseLock, serializeLock, type StateStore } from './state-store';

export interface S3StateStoreOptions extends S3ClientSettings {
  readonly bucket: string;
  readonly key: string;
  /** Gets the SDK's warnings. @default silent */
  readonly logger?: Logger;
}

/**
 * The answers to a conditional PUT whose condition failed: 412 Precondition Failed, 409 when a
 * concurrent conditional write won, 404 for If-Match on an object that is gone.
 */
const CONDITION_FAILED = new Set([404, 409, 412]);

/**
 * Keeps the state in one S3 object (a PUT replaces it whole) and the lock in another beside it
 * (`<key>.lock`), swapped with S3's conditional writes: `If-None-Match: *` to create it, `If-Match:
 * <ETag>` to replace it. The first swap of each run checks that the store honours them (a store that
 * ignores them could let two runs in at once) and fails if it does not. Checkpoints' journals are
 * objects under `<key>.journal/`. Credentials come from the AWS default chain, as for the S3 sink.
 */
export function createS3StateStore(options: S3StateStoreOptions): StateStore {
  const { bucket, key, logger = silentLogger } = options;
  const location = `s3://${bucket}/${key}`;
  const lockKey = `${key}.lock`;
  const fail = (action: string, error: unknown) => new StateError(location, `cannot ${action}: ${describeS3Error(error)}`, { cause: error });
  // The AWS SDK costs about 20 MiB: loaded when the store is first used, not when it is built.
  let sdk: Promise<{ client: S3Client; commands: typeof import('@aws-sdk/client-s3') }> | undefined;
  const connect = () =>
    (sdk ??= Promise.all([import('../sinks/s3/s3-client'), import('@aws-sdk/client-s3')]).then(([{ createS3Client }, commands]) => ({
      client: createS3Client(options, logger),
      commands,
    })));
  let conditionsChecked = false;

  /** The object's text and ETag, or undefined when there is none. */
  const getObject = async (objectKey: string): Promise<{ text: string; etag?: string } | undefined> => {
    const { client, commands } = await connect();
    try {
      const object = await client.send(new commands.GetObjectCommand({ Bucket: bucket, Key: objectKey }));
      return { text: (await object.Body?.transformToString('utf8')) ?? '', etag: object.ETag };
    } catch (error) {
      if (s3HttpStatus(error) === 404 && (error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  };

  /** A journal is objects `<key>.journal/<name>/<offset>`, one per append: S3 objects are never appended to. */
  const journalPrefix = (name: string) => `${key}.journal/${encodeURIComponent(name)}/`;
  const segmentName = (offset: number) => String(offset).padStart(16, '0');
  const listKeys = async (prefix: string): Promise<string[]> => {
    const { client, commands } = await connect();
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(new commands.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys;
  };

  return {
    location,

    async load() {
      let object: { text: string } | undefined;
      try {
        object = await getObject(key);
      } catch (error) {
        throw fail('read the state', error);
      }
      return object && parseState(object.text, location);
    },

    async save(state: PipelineState) {
      const { client, commands } = await connect();
      try {
        await client.send(new commands.PutObjectCommand({ Bucket: bucket, Key: key, Body: serializeState(state), ContentType: 'application/json' }));
      } catch (error) {
        throw fail('save the state', error);
      }
    },

    async readLock(): Promise<LockState> {
      try {
        const object = await getObject(lockKey);
        return object ? { version: object.etag, holder: parseLock(object.text) } : {};
      } catch (error) {
        throw fail(`read the lock s3://${bucket}/${lockKey}`, error);
      }
    },

    async swapLock(expected: string | undefined, next: LockHolder | undefined) {
      const { client, commands } = await connect();
      const condition = expected === undefined ? { IfNoneMatch: '*' } : { IfMatch: expected };
      const body = serializeLock(next);
      const put = () => client.send(new commands.PutObjectCommand({ Bucket: bucket, Key: lockKey, Body: body, ContentType: 'application/json', ...condition }));
      const conditionFailed = (error: unknown) => CONDITION_FAILED.has(s3HttpStatus(error) ?? 0);
      let etag: string | undefined;
      try {
        etag = (await put()).ETag;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw fail(`write the lock s3://${bucket}/${lockKey}`, error);
      }
      if (!conditionsChecked) {
        // The same request again must now be refused. Where it is not, it rewrote our own bytes: harmless, and proof.
        const repeated = await put().then(
          () => true,
          (error: unknown) => {
            if (conditionFailed(error)) return false;
            throw fail(`write the lock s3://${bucket}/${lockKey}`, error);
          },
        );
        if (repeated) {
          // Not a lock worth keeping: free it again, or the next run would wait for the lease to end.
          await client.send(new commands.PutObjectCommand({ Bucket: bucket, Key: lockKey, Body: serializeLock(undefined) })).catch(() => {});
          throw new StateError(
            location,
            'the store ignores conditional writes (If-None-Match / If-Match), so it cannot keep two runs apart: keep the state on AWS S3 or a store that supports them (MinIO, Cloudflare R2), or in a file',
            { code: 'PF_STATE_UNSAFE_STORE' },
          );
        }
        conditionsChecked = true;
      }
      if (!etag) throw new StateError(location, `the store did not return an ETag for s3://${bucket}/${lockKey}`);
      return etag;
    },

    journals: {
      async append(name, offset, bytes) {
        const { client, commands } = await connect();
        try {
          await client.send(new commands.PutObjectCommand({ Bucket: bucket, Key: `${journalPrefix(name)}${segmentName(offset)}`, Body: bytes }));
        } catch (error) {
          throw fail(`append to the journal ${name}`, error);
        }
      },

      async read(name, length) {
        const { client, commands } = await connect();
        const prefix = journalPrefix(name);
        const parts: Uint8Array[] = [];
        try {
          const segments = new Set(await listKeys(prefix));
          // Segments start where the one before ends; one at another offset was left by a run that died before its checkpoint.
          for (let at = 0; at < length; ) {
            const key = `${prefix}${segmentName(at)}`;
            if (!segments.has(key)) throw new StateError(location, `the journal ${name} has no segment at byte ${at} of the ${length} its checkpoint saved: run with --fresh to start over`);
            const object = await client.send(new commands.GetObjectCommand({ Bucket: bucket, Key: key }));
            const part = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
            if (part.length === 0) throw new StateError(location, `the journal ${name} has an empty segment at byte ${at}: run with --fresh to start over`);
            parts.push(part);
            at += part.length;
          }
        } catch (error) {
          if (error instanceof StateError) throw error;
          throw fail(`read the journal ${name}`, error);
        }
        return Buffer.concat(parts).subarray(0, length);
      },

      async clear() {
        const { client, commands } = await connect();
        try {
          const keys = await listKeys(`${key}.journal/`);
          for (let at = 0; at < keys.length; at += 1000) {
            await client.send(new commands.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(at, at + 1000).map((Key) => ({ Key })), Quiet: true } }));
          }
        } catch (error) {
          throw fail('remove the journals', error);
        }
      },
    },

    async close() {
      if (sdk) (await sdk).client.destroy();
    },
  };
}
