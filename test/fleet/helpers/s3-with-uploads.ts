import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { S3RVER_CREDENTIALS } from '../../helpers/s3-server';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  readonly httpServer: Server;
}
// s3rver ships no type declarations.
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

export interface S3WithUploads {
  readonly endpoint: string;
  /** The multipart uploads begun and neither completed nor aborted, as s3rver keeps them on disk. */
  openUploads(bucket: string): Promise<{ key: string; uploadId: string }[]>;
  /** The keys of the bucket's objects. */
  keys(bucket: string): Promise<string[]>;
  readObject(bucket: string, key: string): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * s3rver (as `test/helpers/s3-server.ts` starts it) plus the two calls of S3 it lacks that the fleet
 * uses to clean up after a dead worker: ListMultipartUploads and AbortMultipartUpload (s3rver answers
 * 501 and 405). Both work on s3rver's own record of open uploads, `<bucket>/._S3rver_uploads/<id>/`.
 */
export async function startS3WithUploads(buckets: readonly string[]): Promise<S3WithUploads> {
  const directory = await mkdtemp(join(tmpdir(), 'pageflow-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = await server.run();
  const uploadsDir = (bucket: string) => join(directory, bucket, '._S3rver_uploads');
  const openUploads = async (bucket: string) => {
    const ids = await readdir(uploadsDir(bucket)).catch(() => []);
    return Promise.all(ids.map(async (uploadId) => ({ uploadId, key: await readFile(join(uploadsDir(bucket), uploadId, 'key'), 'utf8') })));
  };

  const handlers = server.httpServer.listeners('request') as ((request: IncomingMessage, response: ServerResponse) => void)[];
  server.httpServer.removeAllListeners('request');
  server.httpServer.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const [bucket, ...key] = decodeURIComponent(url.pathname).split('/').filter(Boolean);
    const reply = (status: number, body = '') => {
      response.writeHead(status, { 'content-type': 'application/xml' });
      response.end(body);
    };
    if (request.method === 'GET' && key.length === 0 && url.searchParams.has('uploads')) {
      const prefix = url.searchParams.get('prefix') ?? '';
      void openUploads(bucket).then(async (uploads) => {
        const listed = await Promise.all(
          uploads
            .filter((upload) => upload.key.startsWith(prefix))
            .map(async (upload) => {
              const initiated = (await stat(join(uploadsDir(bucket), upload.uploadId))).mtime.toISOString();
              return `<Upload><Key>${escapeXml(upload.key)}</Key><UploadId>${upload.uploadId}</UploadId><Initiated>${initiated}</Initiated></Upload>`;
            }),
        );
        reply(200, `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult><Bucket>${bucket}</Bucket><IsTruncated>false</IsTruncated>${listed.join('')}</ListMultipartUploadsResult>`);
      });
      return;
    }
    const uploadId = url.searchParams.get('uploadId');
    if (request.method === 'DELETE' && uploadId && /^[0-9a-f]+$/.test(uploadId)) {
      void rm(join(uploadsDir(bucket), uploadId), { recursive: true, force: true }).then(() => reply(204));
      return;
    }
    handlers.forEach((handler) => handler(request, response));
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  return {
    endpoint,
    openUploads,
    keys: async (bucket) => ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((object) => object.Key ?? ''),
    readObject: async (bucket, key) => Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray()),
    async close() {
      client.destroy();
      server.httpServer.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
