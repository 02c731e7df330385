import { DeleteObjectCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { SinkError } from '../../errors/sink-error';
import type { Logger } from '../../logger';
import type { ByteTarget } from '../byte-target';
import { coalesceChunks } from './coalesce-chunks';
import { describeS3Error, s3HttpStatus } from './describe-s3-error';

export interface UploadTargetSettings {
  /** The sink's name (`s3://bucket/key`), which starts every message. */
  readonly name: string;
  readonly bucket: string;
  readonly key: string;
  /** The object's Content-Type, e.g. `text/csv`. */
  readonly contentType: string;
  /** `gzip` for a `.gz` key. */
  readonly contentEncoding?: string;
  readonly partSize: number;
  readonly queueSize: number;
  readonly logger: Logger;
}

/** Chunks smaller than this are joined before they reach lib-storage. */
const MIN_CHUNK_BYTES = 64 * 1024;

/** The calls whose failure is the upload's real cause; AbortMultipartUpload's own failure never is. */
const UPLOAD_COMMANDS = new Set(['PutObjectCommand', 'CreateMultipartUploadCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);

/**
 * Streams bytes into one S3 object through a lib-storage `Upload`: parts of `partSize` bytes, at most
 * `queueSize` of them uploading at once, and writes wait while they do. The object appears only when
 * `close` completes the upload; `discard` fails the body so the upload can never complete, and
 * lib-storage aborts the multipart upload (or deletes the object when it was already complete).
 */
export function openUploadTarget(settings: UploadTargetSettings, client: S3Client): ByteTarget {
  const { name, bucket, key, logger } = settings;
  const failure = (problem: string, error: unknown) => new SinkError(name, `${problem}: ${describeS3Error(error)}`, { cause: error });

  const body = coalesceChunks(MIN_CHUNK_BYTES);
  // lib-storage stops reading when a part fails. The default iterator would then destroy `body`, and a
  // waiting write would fail with a bare AbortError instead of S3's error.
  body[Symbol.asyncIterator] = () => body.iterator({ destroyOnReturn: false });
  // A failure reaches the runner through the next write or close; unobserved, it must not crash the process.
  body.on('error', () => {});
  const destroy = (error: Error) => body.destroy(error);

  let reported: SinkError | undefined;
  const fail = (error: unknown): SinkError => {
    reported ??= failure('upload failed', error);
    // Wakes a write waiting for room and fails the next one. It also stops lib-storage's other part
    // uploads, which would otherwise carry on to the end of the export before it reports the failure.
    destroy(reported);
    return reported;
  };
  // lib-storage rethrows a failed AbortMultipartUpload in place of the error that made it abort: the
  // first failed call is reported instead, and a failed abort is only a debug note.
  watchFailures(client, fail, (error) => logger.log('debug', `${name}: could not abort the multipart upload: ${describeS3Error(error)}`));

  const params = { Bucket: bucket, Key: key, Body: body, ContentType: settings.contentType, ContentEncoding: settings.contentEncoding };
  const upload = new Upload({ client, params, partSize: settings.partSize, queueSize: settings.queueSize });
  const uploaded = upload.done().then(
    () => undefined,
    (error: unknown) => {
      throw fail(error);
    },
  );
  uploaded.catch(() => {}); // observed by commit and discard

  return {
    stream: body,
    async close() {
      try {
        if (!body.writableEnded) body.end();
        await uploaded;
      } finally {
        client.destroy();
      }
    },
    async commit() {},
    async discard(reason) {
      destroy(reason instanceof Error ? reason : new Error(String(reason)));
      const completed = await uploaded.then(
        () => true,
        () => false,
      );
      // It completed before the run failed elsewhere (another sink's finish): this run wrote it, so it goes.
      if (completed) await deleteObject(client, settings);
      client.destroy();
    },
  };
}

/**
 * Fails fast, before the source's first request, when no region is set, the endpoint cannot be reached
 * or the bucket does not exist. Any other answer (403 without s3:ListBucket, 301 for another region) is
 * left to the upload, which may still be allowed and otherwise reports the definitive error.
 */
export async function checkBucket(client: S3Client, { name, bucket, logger }: { name: string; bucket: string; logger: Logger }): Promise<void> {
  const failure = (problem: string, error: unknown) => new SinkError(name, `${problem}: ${describeS3Error(error)}`, { cause: error });
  try {
    await client.config.region();
  } catch (error) {
    throw new SinkError(name, 'no AWS region: set region: on the sink, or AWS_REGION (or a profile with a region) in the environment', { cause: error });
  }
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const status = s3HttpStatus(error);
    if (status === undefined) throw failure('bucket check failed', error);
    if (status === 404) throw failure(`bucket "${bucket}" does not exist`, error);
    logger.log('debug', `${name}: bucket check inconclusive, uploading anyway (${describeS3Error(error)})`);
  }
}

/** Tells of every failed upload call (after the SDK's retries) and every failed AbortMultipartUpload. */
function watchFailures(client: S3Client, onUploadFailure: (error: unknown) => void, onAbortFailure: (error: unknown) => void): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (context.commandName === 'AbortMultipartUploadCommand') onAbortFailure(error);
        else if (UPLOAD_COMMANDS.has(context.commandName ?? '')) onUploadFailure(error);
        throw error;
      }
    },
    { step: 'initialize', name: 'pageflowUploadFailures' },
  );
}

async function deleteObject(client: S3Client, { name, bucket, key, logger }: UploadTargetSettings): Promise<void> {
  try {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    logger.log('warn', `${name}: the run failed but the uploaded object could not be deleted (${describeS3Error(error)})`);
  }
}
