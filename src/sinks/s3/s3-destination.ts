import type { Logger } from '../../logger';
import type { ByteTarget } from '../byte-target';
import type { Destination } from '../destination';
import { createS3Client, type S3ClientSettings } from './s3-client';
import { openMultipartTarget } from './multipart-target';
import { checkBucket, openUploadTarget, type UploadTargetSettings } from './upload-target';

export interface S3DestinationSettings {
  /** The sink's name, which starts the messages of its checks. */
  readonly name: string;
  readonly bucket: string;
  readonly client: S3ClientSettings;
  readonly contentType: string;
  readonly contentEncoding?: string;
  readonly partSize: number;
  readonly queueSize: number;
  readonly logger: Logger;
  /** The run saves checkpoints: uploads are made so that another process can resume them. */
  readonly resumable?: boolean;
}

/** A sink's outputs as objects of one bucket, each a multipart upload of its own (with its own client). */
export class S3Destination implements Destination {
  constructor(private readonly settings: S3DestinationSettings) {}

  describe(key: string): string {
    return `s3://${this.settings.bucket}/${key}`;
  }

  async open(): Promise<void> {
    const client = createS3Client(this.settings.client, this.settings.logger);
    try {
      await checkBucket(client, this.settings);
    } finally {
      client.destroy();
    }
  }

  async create(key: string): Promise<ByteTarget> {
    const open = this.settings.resumable ? openMultipartTarget : openUploadTarget;
    return open(this.target(key), createS3Client(this.settings.client, this.settings.logger));
  }

  /** Nothing to mark: the checkpoint's upload ids are what the fleet's clean-up leaves alone. */
  async checkpoint(): Promise<unknown> {
    return {};
  }

  async resume(): Promise<void> {
    await this.open();
  }

  async reopen(key: string, position: unknown): Promise<ByteTarget> {
    return openMultipartTarget(this.target(key), createS3Client(this.settings.client, this.settings.logger), position);
  }

  private target(key: string): UploadTargetSettings {
    const { bucket, contentType, contentEncoding, partSize, queueSize, logger } = this.settings;
    return { name: this.describe(key), bucket, key, contentType, contentEncoding, partSize, queueSize, logger };
  }

  async release(): Promise<void> {}
}
