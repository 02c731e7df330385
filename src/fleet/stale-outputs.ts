import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../logger';
import type { ComponentConfig, PipelineDefinition } from '../pipeline/schema';
import { fileSinkConfig } from '../sinks/file-sink';
import { s3SinkConfig } from '../sinks/s3-sink';

/**
 * Removes what an earlier attempt of the same job left half-written when its worker died (SIGKILL,
 * a lost machine): a dead process cannot roll back. Runs before a restarted attempt writes, with the
 * job's pinned start time, so the outputs are those the dead attempt wrote to. An S3 sink's open
 * multipart uploads of its key are aborted (they would otherwise be billed forever, invisible); a
 * file sink's temporary files beside it are removed. An output belongs to one job: two jobs writing
 * the same key or path would clean up each other's.
 *
 * This is where resuming from a checkpoint takes over once checkpoints are stored (the state issue):
 * an attempt with a checkpoint resumes its upload instead of aborting it.
 */
export async function removeStaleOutputs(definition: PipelineDefinition, startedAt: Date, logger: Logger): Promise<void> {
  await Promise.all(definition.sinks.map((sink) => removeStaleOutput(sink, startedAt, logger)));
}

async function removeStaleOutput(sink: ComponentConfig, startedAt: Date, logger: Logger): Promise<void> {
  if (sink.type === 's3') return abortStaleUploads(sink, startedAt, logger);
  if (sink.type === 'file') return removeTemporaryFiles(sink, logger);
}

async function abortStaleUploads(sink: ComponentConfig, startedAt: Date, logger: Logger): Promise<void> {
  const { type: _type, ...options } = s3SinkConfig.parse(sink);
  // The AWS SDK is loaded only when there is an upload to look for, as the sink itself does.
  const [{ AbortMultipartUploadCommand, ListMultipartUploadsCommand }, { createS3Client }, { resolveObjectKey }, { describeS3Error }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../sinks/s3/s3-client'),
    import('../sinks/s3/object-key'),
    import('../sinks/s3/describe-s3-error'),
  ]);
  const key = resolveObjectKey(options.key, startedAt);
  const name = `s3://${options.bucket}/${key}`;
  const client = createS3Client(options, logger);
  try {
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (;;) {
      const page = await client.send(new ListMultipartUploadsCommand({ Bucket: options.bucket, Prefix: key, ...markers }));
      for (const upload of page.Uploads ?? []) {
        if (upload.Key !== key || !upload.UploadId) continue;
        try {
          await client.send(new AbortMultipartUploadCommand({ Bucket: options.bucket, Key: key, UploadId: upload.UploadId }));
          logger.log('info', `${name}: aborted the multipart upload an earlier attempt left open`);
        } catch (error) {
          logger.log('warn', `${name}: could not abort the multipart upload an earlier attempt left open (${describeS3Error(error)})`);
        }
      }
      if (!page.IsTruncated) break;
      markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
    }
  } catch (error) {
    // Some S3-compatible stores cannot list uploads: a lifecycle rule (AbortIncompleteMultipartUpload) is then the backstop.
    logger.log('warn', `${name}: could not look for multipart uploads an earlier attempt left open (${describeS3Error(error)})`);
  } finally {
    client.destroy();
  }
}

async function removeTemporaryFiles(sink: ComponentConfig, logger: Logger): Promise<void> {
  const { path } = fileSinkConfig.parse(sink);
  const name = basename(path);
  // The file sink's temporary files: `.<name>.<pid>-<8 hex>.tmp` beside the output.
  const isTemporary = (entry: string) => entry.startsWith(`.${name}.`) && /^\d+-[0-9a-f]{8}\.tmp$/.test(entry.slice(name.length + 2));
  const entries = await readdir(dirname(path)).catch(() => []);
  for (const entry of entries.filter(isTemporary)) {
    await rm(join(dirname(path), entry), { force: true });
    logger.log('info', `file:${path}: removed ${entry}, left by an earlier attempt`);
  }
}
