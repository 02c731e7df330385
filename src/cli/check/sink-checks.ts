import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { describeSystemError } from '../../errors/describe-system-error';
import type { Logger } from '../../logger';
import type { ComponentConfig } from '../../pipeline/schema';
import { fileSinkConfig } from '../../sinks/file-sink';
import { s3SinkConfig } from '../../sinks/s3-sink';
import { type CheckResult, failed, fixedFolder, passed, probeName } from './check-result';

/** Checks that a sink of one type can write, leaving nothing behind. */
type SinkCheck = (config: ComponentConfig, context: { logger: Logger }) => Promise<CheckResult>;

/** The nearest folder on the way to `folder` that exists: the sink creates the rest. */
async function nearestExisting(folder: string): Promise<string> {
  for (let current = folder; ; current = dirname(current)) {
    const found = await stat(current).catch(() => undefined);
    if (found || dirname(current) === current) return current;
  }
}

/** A file sink: the folder its files go to (or the nearest one that exists) takes a probe file, removed at once. */
const checkFileSink: SinkCheck = async (config) => {
  const { path } = fileSinkConfig.parse(config);
  const subject = `sink file:${path}`;
  // Paths are relative to the working directory, as the sink writes them.
  const folder = resolve(fixedFolder(path) || '.');
  const existing = await nearestExisting(folder);
  const found = await stat(existing);
  if (!found.isDirectory()) return failed(subject, `${existing} is not a folder`);
  const probe = resolve(existing, probeName());
  try {
    await access(existing, constants.W_OK);
    await writeFile(probe, '', { flag: 'wx' });
  } catch (error) {
    return failed(subject, `cannot write in ${existing}: ${describeSystemError(error)}`);
  } finally {
    await rm(probe, { force: true });
  }
  return passed(subject, existing === folder ? `${folder} is writable` : `${folder} will be created in ${existing}, which is writable`);
};

/** An S3 sink: the bucket answers, and takes a probe object under the key's folder, deleted at once. */
const checkS3Sink: SinkCheck = async (config, { logger }) => {
  const options = s3SinkConfig.parse(config);
  const subject = `sink s3://${options.bucket}/${options.key}`;
  // The SDK adds about 20 MiB to a process: loaded only for a pipeline with an S3 sink.
  const [{ DeleteObjectCommand, HeadBucketCommand, PutObjectCommand }, { createS3Client }, { describeS3Error }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../../sinks/s3/s3-client'),
    import('../../sinks/s3/describe-s3-error'),
  ]);
  const client = createS3Client(options, logger);
  const key = `${fixedFolder(options.key)}${probeName()}`;
  let step = `bucket "${options.bucket}" is not reachable`;
  try {
    await client.send(new HeadBucketCommand({ Bucket: options.bucket }));
    step = `cannot write to bucket "${options.bucket}" (probe object ${key})`;
    await client.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: randomBytes(8) }));
    step = `wrote the probe object ${key} but could not delete it (remove it by hand)`;
    await client.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key }));
    return passed(subject, `bucket "${options.bucket}" is reachable and writable (probe object written and deleted)`);
  } catch (error) {
    const notFound = (error as { name?: string }).name === 'NotFound' || (error as { name?: string }).name === 'NoSuchBucket';
    return failed(subject, notFound ? `bucket "${options.bucket}" does not exist (or these credentials may not see it)` : `${step}: ${describeS3Error(error)}`);
  } finally {
    client.destroy();
  }
};

/** Sink checks by `type`: adding one is a function plus a line here. Sinks without one are reported as not checked. */
const SINK_CHECKS: Readonly<Record<string, SinkCheck>> = {
  file: checkFileSink,
  s3: checkS3Sink,
  stdout: async () => passed('sink stdout', 'always writable'),
};

export async function checkSink(config: ComponentConfig, context: { logger: Logger }): Promise<CheckResult> {
  const check = SINK_CHECKS[config.type];
  return check ? check(config, context) : passed(`sink ${config.type}`, 'not checked: pageflow check knows no probe for this sink type');
}
