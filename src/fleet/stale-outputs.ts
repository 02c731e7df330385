import type { Logger } from '../logger';
import type { ComponentConfig, PipelineDefinition } from '../pipeline/schema';
import { OutputPath, type RunPlaceholders } from '../sinks/output-path';
import { s3SinkConfig } from '../sinks/s3-sink';

/**
 * Removes what an earlier attempt of the same job left half-written when its worker died (SIGKILL,
 * a lost machine): a dead process cannot roll back. Runs before a restarted attempt writes, with the
 * job's pinned start time and run id, so the outputs are those the dead attempt wrote to: an S3
 * sink's open multipart uploads of its keys are aborted (they would otherwise be billed forever,
 * invisible). A file sink cleans up a dead process's temporary files itself when it opens. An output
 * belongs to one job: two jobs writing the same key would clean up each other's.
 *
 * The uploads in `keep` are left open: a checkpoint of the job's state refers to them, and the
 * attempt resumes them (`checkpoint:`).
 */
export async function removeStaleOutputs(definition: PipelineDefinition, run: RunPlaceholders, logger: Logger, keep: ReadonlySet<string> = new Set()): Promise<void> {
  await Promise.all(definition.sinks.filter((sink) => sink.type === 's3').map((sink) => abortStaleUploads(sink, run, logger, keep)));
}

async function abortStaleUploads(sink: ComponentConfig, run: RunPlaceholders, logger: Logger, keep: ReadonlySet<string>): Promise<void> {
  const { type: _type, ...options } = s3SinkConfig.parse(sink);
  // The AWS SDK is loaded only when there is an upload to look for, as the sink itself does.
  const [{ AbortMultipartUploadCommand, ListMultipartUploadsCommand }, { createS3Client }, { describeS3Error }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../sinks/s3/s3-client'),
    import('../sinks/s3/describe-s3-error'),
  ]);
  const key = new OutputPath(options.key, run);
  const name = `s3://${options.bucket}/${key.template}`;
  const client = createS3Client(options, logger);
  try {
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (;;) {
      const page = await client.send(new ListMultipartUploadsCommand({ Bucket: options.bucket, Prefix: key.fixedPrefix, ...markers }));
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !key.matches(upload.Key) || !upload.UploadId) continue;
        if (keep.has(upload.UploadId)) {
          logger.log('info', `s3://${options.bucket}/${upload.Key}: left the multipart upload an earlier attempt left open, as its checkpoint resumes it`);
          continue;
        }
        try {
          await client.send(new AbortMultipartUploadCommand({ Bucket: options.bucket, Key: upload.Key, UploadId: upload.UploadId }));
          logger.log('info', `s3://${options.bucket}/${upload.Key}: aborted the multipart upload an earlier attempt left open`);
        } catch (error) {
          logger.log('warn', `s3://${options.bucket}/${upload.Key}: could not abort the multipart upload an earlier attempt left open (${describeS3Error(error)})`);
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
