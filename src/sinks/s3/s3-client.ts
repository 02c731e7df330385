import { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../../logger';

export type ChecksumMode = 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';

export interface S3ClientSettings {
  readonly region?: string;
  /** Empty means AWS itself: pipeline files write `endpoint: ${S3_ENDPOINT:-}`. */
  readonly endpoint?: string;
  readonly forcePathStyle?: boolean;
  readonly checksums?: ChecksumMode;
}

/**
 * An S3 client whose credentials come only from the AWS default provider chain (environment, shared
 * profile, container or instance role). Against a custom endpoint checksums default to
 * WHEN_REQUIRED: the SDK's CRC32-by-default breaks many S3-compatible stores.
 */
export function createS3Client(settings: S3ClientSettings, logger: Logger): S3Client {
  const endpoint = settings.endpoint || undefined;
  const checksums = settings.checksums ?? (endpoint ? 'WHEN_REQUIRED' : undefined);
  return new S3Client({
    region: settings.region,
    endpoint,
    forcePathStyle: settings.forcePathStyle,
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    logger: sdkLogger(logger),
    // Without limits the SDK waits forever on an endpoint that drops packets instead of refusing them.
    requestHandler: { connectionTimeout: 10_000, socketTimeout: 120_000 },
  });
}

/**
 * The SDK logs every call at info and every failure at error, and falls back to `console` without a
 * logger. Its warnings go to pageflow's logger (stderr); the rest is dropped, as pageflow reports
 * failures itself and stdout carries only records.
 */
function sdkLogger(logger: Logger) {
  const drop = () => {};
  return {
    trace: drop,
    debug: drop,
    info: drop,
    error: drop,
    warn: (...content: unknown[]) => logger.log('warn', `aws-sdk: ${content.map(String).join(' ')}`),
  };
}
