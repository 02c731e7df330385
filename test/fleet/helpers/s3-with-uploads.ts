import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
  /** UploadPartCopy requests answered so far. */
  partCopies(): number;
  close(): Promise<void>;
}

/**
 * s3rver (as `test/helpers/s3-server.ts` starts it) plus the calls of S3 it lacks that the fleet
 * uses: ListMultipartUploads and AbortMultipartUpload (s3rver answers 501 and 405) to clean up after a
 * dead worker, and UploadPartCopy (501) to assemble a split export. All work on s3rver's own record of
 * open uploads, `<bucket>/._S3rver_uploads/<id>/<part>`. Like S3 (and unlike s3rver), it refuses to
 * complete an upload with a part but the last under 5 MiB (EntityTooSmall).
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
    const upload = uploadId && /^[0-9a-f]+$/.test(uploadId) ? join(uploadsDir(bucket), uploadId) : undefined;
    if (request.method === 'DELETE' && upload) {
      void rm(upload, { recursive: true, force: true }).then(() => reply(204));
      return;
    }
    const copySource = request.headers['x-amz-copy-source'];
    if (request.method === 'PUT' && upload && typeof copySource === 'string') {
      void copyPart(upload, Number(url.searchParams.get('partNumber')), copySource, request.headers['x-amz-copy-source-range']).then(
        (etag) => reply(200, `<?xml version="1.0" encoding="UTF-8"?>\n<CopyPartResult><LastModified>${new Date().toISOString()}</LastModified><ETag>"${etag}"</ETag></CopyPartResult>`),
        (error: Error) => reply(404, `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>${escapeXml(error.message)}</Message></Error>`),
      );
      return;
    }
    if (request.method === 'POST' && upload) {
      void tooSmall(upload).then((small) => {
        if (small) return reply(400, `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>EntityTooSmall</Code><Message>Your proposed upload is smaller than the minimum allowed size (part ${small})</Message></Error>`);
        handlers.forEach((handler) => handler(request, response));
      });
      return;
    }
    handlers.forEach((handler) => handler(request, response));
  });

  const endpoint = `http://127.0.0.1:${port}`;
  /** UploadPartCopy: the source's bytes (or range) become the part, with the MD5 ETag s3rver gives parts. */
  let partCopies = 0;
  const copyPart = async (upload: string, partNumber: number, source: string, range: string | string[] | undefined): Promise<string> => {
    partCopies += 1;
    const [sourceBucket, ...sourceKey] = decodeURIComponent(source.replace(/^\//, '')).split('/');
    const object = await client.send(new GetObjectCommand({ Bucket: sourceBucket, Key: sourceKey.join('/'), Range: typeof range === 'string' ? range : undefined }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    const etag = createHash('md5').update(bytes).digest('hex');
    await writeFile(join(upload, String(partNumber)), bytes);
    await writeFile(join(upload, `${partNumber}.md5`), etag);
    return etag;
  };
  /** The number of a part under 5 MiB that is not the last, if any. */
  const tooSmall = async (upload: string): Promise<number | undefined> => {
    const parts = (await readdir(upload).catch(() => [])).filter((name) => /^\d+$/.test(name)).map(Number).sort((a, b) => a - b);
    for (const part of parts.slice(0, -1)) if ((await stat(join(upload, String(part)))).size < 5 * 1024 * 1024) return part;
    return undefined;
  };
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  return {
    endpoint,
    openUploads,
    keys: async (bucket) => ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((object) => object.Key ?? ''),
    partCopies: () => partCopies,
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
