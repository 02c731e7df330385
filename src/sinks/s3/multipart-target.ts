import { finished } from 'node:stream/promises';
import { Writable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { SinkError } from '../../errors/sink-error';
import type { ByteTarget } from '../byte-target';
import { describeS3Error } from './describe-s3-error';
import type { UploadTargetSettings } from './upload-target';

/** S3's smallest part but the last: a checkpoint uploads its buffered bytes as a part once they reach it. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/** Where a resumable upload stands: its id and completed parts, and the bytes too few for a part yet (base64). */
const multipartPosition = z.strictObject({
  uploadId: z.string().optional(),
  parts: z.array(z.strictObject({ PartNumber: z.int().min(1), ETag: z.string() })),
  tail: z.string(),
});
export type MultipartPosition = z.infer<typeof multipartPosition>;

/**
 * Streams bytes into one S3 object as a multipart upload of its own making, so that a checkpoint can
 * say exactly what S3 holds: the upload id, the parts completed, and the bytes not yet in a part
 * (fewer than 5 MiB, kept in the checkpoint). Another process reopens it from there (`from`) and
 * goes on with the next part number. Parts of `partSize` bytes, at most `queueSize` uploading at
 * once; writes wait while they do. An export that never fills a part is one PutObject at `close`.
 */
export function openMultipartTarget(settings: UploadTargetSettings, client: S3Client, from?: unknown): ByteTarget {
  const { name, bucket: Bucket, key: Key, logger } = settings;
  const resumed = from === undefined ? undefined : multipartPosition.safeParse(from);
  if (resumed && !resumed.success) throw new SinkError(name, `cannot resume: the checkpoint does not describe a multipart upload (${resumed.error.issues[0].message})`);
  const position = resumed?.data;
  let uploadId = position?.uploadId;
  const parts = [...(position?.parts ?? [])];
  let nextPart = parts.length + 1;
  let buffered: Buffer[] = position?.tail ? [Buffer.from(position.tail, 'base64')] : [];
  let size = buffered.reduce((sum, chunk) => sum + chunk.length, 0);
  const uploading = new Set<Promise<void>>();
  let failure: SinkError | undefined;
  let completed = false;
  const fail = (problem: string, error: unknown): SinkError => (failure ??= new SinkError(name, `${problem}: ${describeS3Error(error)}`, { cause: error }));

  let creating: Promise<string> | undefined = uploadId === undefined ? undefined : Promise.resolve(uploadId);
  const created = () =>
    (creating ??= client
      .send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: settings.contentType, ContentEncoding: settings.contentEncoding }))
      .then(({ UploadId }) => (uploadId = UploadId!)));

  const send = (Body: Buffer) => {
    const PartNumber = nextPart++;
    const upload = (async () => {
      const { ETag } = await client.send(new UploadPartCommand({ Bucket, Key, UploadId: await created(), PartNumber, Body }));
      parts.push({ PartNumber, ETag: ETag! });
    })().catch((error: unknown) => {
      throw fail('upload failed', error);
    });
    uploading.add(upload);
    upload.then(
      () => uploading.delete(upload),
      () => uploading.delete(upload),
    );
  };
  /** Uploads the buffered bytes as a part once there are `minimum` of them, after waiting for room in the queue. */
  const cut = async (minimum: number) => {
    if (size < minimum || size === 0) return;
    while (uploading.size >= settings.queueSize) await Promise.race(uploading);
    const body = Buffer.concat(buffered, size);
    buffered = [];
    size = 0;
    send(body);
  };
  const settle = async () => {
    await Promise.all(uploading);
    if (failure) throw failure;
  };
  const complete = async () => {
    await settle();
    if (uploadId === undefined) {
      await client.send(new PutObjectCommand({ Bucket, Key, Body: Buffer.concat(buffered, size), ContentType: settings.contentType, ContentEncoding: settings.contentEncoding })).catch((error: unknown) => {
        throw fail('upload failed', error);
      });
    } else {
      await cut(1);
      await settle();
      const Parts = [...parts].sort((a, b) => a.PartNumber - b.PartNumber);
      await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts } })).catch((error: unknown) => {
        throw fail('upload failed', error);
      });
    }
    completed = true;
  };

  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      buffered.push(chunk);
      size += chunk.length;
      cut(settings.partSize).then(() => callback(failure), callback);
    },
    final(callback) {
      complete().then(() => callback(), callback);
    },
  });
  // A failure reaches the runner through the next write or close; unobserved, it must not crash the process.
  stream.on('error', () => {});
  const stop = async () => {
    stream.destroy();
    await Promise.allSettled(uploading);
  };

  return {
    stream,
    async close() {
      try {
        if (!stream.writableEnded) stream.end();
        await finished(stream);
      } catch (error) {
        throw failure ?? error;
      } finally {
        client.destroy();
      }
    },
    async commit() {},
    async discard() {
      await stop();
      try {
        if (completed) await client.send(new DeleteObjectCommand({ Bucket, Key }));
        else if (uploadId !== undefined) await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }));
      } catch (error) {
        // Some stores refuse AbortMultipartUpload (s3rver: 405); a lifecycle rule is the backstop.
        logger.log(completed ? 'warn' : 'debug', `${name}: could not ${completed ? 'delete the uploaded object' : 'abort the multipart upload'} (${describeS3Error(error)})`);
      }
      client.destroy();
    },
    async checkpoint() {
      // An empty write's callback runs once every write before it was taken.
      await new Promise<void>((resolve, reject) => stream.write(EMPTY, (error) => (error ? reject(error) : resolve())));
      await cut(MIN_PART_BYTES);
      await settle();
      const tail = Buffer.concat(buffered, size);
      buffered = [tail];
      const position: MultipartPosition = { ...(uploadId !== undefined && { uploadId }), parts: [...parts].sort((a, b) => a.PartNumber - b.PartNumber), tail: tail.toString('base64') };
      // Durable already: the parts are uploaded and the tail travels in the checkpoint.
      return { position, durable: Promise.resolve() };
    },
    async suspend() {
      await stop();
      client.destroy();
    },
  };
}
