import type { CompletedPart, S3Client } from '@aws-sdk/client-s3';
import { SinkError } from '../errors/sink-error';
import { PART_SIZE_RANGE } from '../sinks/s3-sink';
import { describeS3Error } from '../sinks/s3/describe-s3-error';

/** Bytes `start`…`end - 1` of the object at `key`. */
export interface Piece {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/** One part of the multipart upload that makes the object: a server-side copy of one piece, or pieces read and uploaded together. */
export type PartPlan = { readonly copy: Piece } | { readonly upload: readonly Piece[] };

export interface PartLimits {
  /** Every part but the last has at least this many bytes. */
  readonly min: number;
  /** No part has more. */
  readonly max: number;
}

/** S3's limit on the parts of one object. */
const MAX_PARTS = 10_000;
/** Parts copied or uploaded at once; an uploaded part is held in memory (at most `min` bytes). */
const PARTS_AT_ONCE = 4;

/**
 * The parts of an object made of `pieces`, in order, within S3's limits: a piece of at least `min`
 * bytes is copied server-side (UploadPartCopy, in chunks of at most `max`); smaller pieces are read
 * and uploaded together, topped up from the start of the next piece, so every part but the last has
 * at least `min` bytes and no more than `min` bytes are ever held in memory for one part.
 */
export function planParts(pieces: readonly Piece[], { min, max }: PartLimits = PART_SIZE_RANGE): PartPlan[] {
  const parts: PartPlan[] = [];
  let pending: Piece[] = [];
  let pendingBytes = 0;
  const take = (piece: Piece) => {
    pending.push(piece);
    pendingBytes += piece.end - piece.start;
  };
  for (const { key, start, end } of pieces) {
    let at = start;
    if (at >= end) continue;
    if (pendingBytes > 0) {
      const topUp = Math.min(min - pendingBytes, end - at);
      take({ key, start: at, end: at + topUp });
      at += topUp;
      if (pendingBytes < min) continue;
      parts.push({ upload: pending });
      pending = [];
      pendingBytes = 0;
    }
    const rest = end - at;
    if (rest === 0) continue;
    if (rest < min) {
      take({ key, start: at, end });
      continue;
    }
    const size = Math.ceil(rest / Math.ceil(rest / max));
    for (let from = at; from < end; from += size) parts.push({ copy: { key, start: from, end: Math.min(from + size, end) } });
  }
  if (pendingBytes > 0) parts.push({ upload: pending });
  return parts;
}

export interface AssembleTarget {
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
}

/**
 * Makes `target` the concatenation of `pieces` (objects of the same bucket): one multipart upload of
 * copied and uploaded parts (see `planParts`), or one PUT when it is a single small part. Nothing is
 * visible at the key until it completes; on failure (or `signal`) the upload is aborted. Resolves
 * with the object's size.
 */
export async function assembleObject(client: S3Client, target: AssembleTarget, pieces: readonly Piece[], signal?: AbortSignal): Promise<number> {
  const { bucket, key, contentType } = target;
  const name = `s3://${bucket}/${key}`;
  const size = pieces.reduce((sum, piece) => sum + Math.max(0, piece.end - piece.start), 0);
  const parts = planParts(pieces);
  if (parts.length > MAX_PARTS) throw new SinkError(name, `the ranges' parts would make ${parts.length} parts, more than the ${MAX_PARTS} of an S3 object: split into fewer, larger ranges`);
  const sdk = await import('@aws-sdk/client-s3');
  const read = async (piece: Piece): Promise<Buffer> => {
    const object = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: piece.key, Range: `bytes=${piece.start}-${piece.end - 1}` }), { abortSignal: signal });
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    if (bytes.length !== piece.end - piece.start) throw new Error(`s3://${bucket}/${piece.key} changed while the object was assembled (read ${bytes.length} bytes of ${piece.end - piece.start})`);
    return bytes;
  };
  const readAll = async (list: readonly Piece[]) => Buffer.concat(await Promise.all(list.map(read)));

  // Nothing, or one small part: a multipart upload needs a part, and one part is what a PUT does.
  const whole = parts.length === 0 ? [] : parts.length === 1 && 'upload' in parts[0] ? parts[0].upload : undefined;
  if (whole) {
    try {
      const body = await readAll(whole);
      await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }), { abortSignal: signal });
      return size;
    } catch (error) {
      throw new SinkError(name, `assembling the ranges' parts failed: ${describeS3Error(error)}`, { cause: error });
    }
  }

  let uploadId: string | undefined;
  try {
    uploadId = (await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }), { abortSignal: signal })).UploadId;
    const completed: CompletedPart[] = new Array(parts.length);
    const sendPart = async (part: PartPlan, index: number) => {
      const common = { Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: index + 1 };
      if ('copy' in part) {
        const { key: source, start, end } = part.copy;
        const copied = await client.send(
          new sdk.UploadPartCopyCommand({ ...common, CopySource: `${bucket}/${source.split('/').map(encodeURIComponent).join('/')}`, CopySourceRange: `bytes=${start}-${end - 1}` }),
          { abortSignal: signal },
        );
        completed[index] = { PartNumber: index + 1, ETag: copied.CopyPartResult?.ETag };
      } else {
        const uploaded = await client.send(new sdk.UploadPartCommand({ ...common, Body: await readAll(part.upload) }), { abortSignal: signal });
        completed[index] = { PartNumber: index + 1, ETag: uploaded.ETag };
      }
    };
    let next = 0;
    let failed = false;
    const lane = async () => {
      while (next < parts.length && !failed) {
        const index = next;
        next += 1;
        await sendPart(parts[index], index).catch((error: unknown) => {
          failed = true;
          throw error;
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARTS_AT_ONCE, parts.length) }, lane));
    await client.send(new sdk.CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: completed } }), { abortSignal: signal });
    return size;
  } catch (error) {
    // Never left open (billed, invisible); a failed abort (s3rver cannot) is not the cause.
    if (uploadId) await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => {});
    throw new SinkError(name, `assembling the ranges' parts failed: ${describeS3Error(error)}`, { cause: error });
  }
}
