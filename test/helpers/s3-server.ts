import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  readonly httpServer: Server;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver ships no type declarations.
const S3rver = require('s3rver') as S3rverConstructor;

/** Marks the helper's own look at an object before a conditional PUT. */
const PRECONDITION_CHECK = 'x-test-precondition-check';
/** Requests on a whole object (not a multipart upload's parts). */
const OBJECT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/** The credentials s3rver accepts; tests hand them to the SDK through the environment, as users do. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** One request s3rver received, e.g. `{ method: 'PUT', path: '/exports/a.csv', query: { partNumber: '1', … } }`. */
export interface S3Request {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
}

/** An S3 error answer, e.g. `{ status: 403, code: 'AccessDenied', message: 'Access Denied' }`. */
export interface S3Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export interface S3ServerOptions {
  /** Buckets that exist from the start. */
  readonly buckets: readonly string[];
  /** Honour `If-None-Match: *` and `If-Match: <ETag>` on PutObject as AWS S3 does (s3rver 3.7.1 ignores them). @default true */
  readonly conditionalWrites?: boolean;
  /**
   * Sees each request before s3rver does: it may hold it (a slow store) by returning a promise, or
   * answer it with an S3 error instead of s3rver.
   */
  readonly intercept?: (request: S3Request) => Promise<S3Refusal | void> | S3Refusal | void;
}

export interface S3Server {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly requests: readonly S3Request[];
  /** A client of this server, for reading back what the sink wrote. */
  readonly client: S3Client;
  /** The object's bytes, or undefined when there is no object at the key. */
  readObject(bucket: string, key: string): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 (a free port) over a fresh temporary directory. */
export async function startS3Server({ buckets, intercept, conditionalWrites = true }: S3ServerOptions): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'pageflow-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const requests: S3Request[] = [];
  // S3 shows every object write at once, whole, and checks a PUT's condition in the same step; s3rver
  // writes objects in place. So requests on one object are served one at a time, in order.
  const objectQueues = new Map<string, Promise<void>>();
  const handlers = server.httpServer.listeners('request') as ((...args: unknown[]) => void)[];
  server.httpServer.removeAllListeners('request');
  server.httpServer.on('request', (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const seen: S3Request = { method: request.method ?? '', path: decodeURIComponent(url.pathname), query: Object.fromEntries(url.searchParams) };
    requests.push(seen);
    const answer = (refusal: S3Refusal | void) => {
      if (!refusal) return handlers.forEach((handler) => handler(request, response));
      // Read the body first, as S3 does, so the client gets the answer rather than a broken pipe.
      request.resume().once('end', () =>
        setImmediate(() => {
          response.writeHead(refusal.status, { 'content-type': 'application/xml' });
          response.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${refusal.message}</Message></Error>`);
        }),
      );
    };
    const wholeObject = !request.headers[PRECONDITION_CHECK] && OBJECT_METHODS.has(seen.method) && /^\/[^/]+\/./.test(seen.path) && !('uploadId' in seen.query) && !('uploads' in seen.query);
    if (!wholeObject) return void Promise.resolve(intercept?.(seen)).then(answer);
    const conditional = conditionalWrites && seen.method === 'PUT' && (request.headers['if-none-match'] || request.headers['if-match']);
    const turn = (objectQueues.get(seen.path) ?? Promise.resolve()).then(async () => {
      const answered = once(response, 'close');
      try {
        answer((conditional ? await failedPrecondition(checker, seen.path, request.headers) : undefined) ?? (await intercept?.(seen)));
      } catch (error) {
        answer({ status: 500, code: 'InternalError', message: String(error) });
      }
      await answered;
    });
    objectQueues.set(seen.path, turn);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const clientConfig = {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  } as const;
  const client = new S3Client(clientConfig);
  // Looks at an object for a conditional PUT waiting its turn: it goes ahead of the queue it is in.
  const checker = new S3Client(clientConfig);
  checker.middlewareStack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers[PRECONDITION_CHECK] = '1';
      return next(args);
    },
    { step: 'build' },
  );
  return {
    endpoint,
    requests,
    client,
    async readObject(bucket, key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        if ((error as { name?: string }).name === 'NotFound') return undefined;
        throw error;
      }
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await object.Body!.transformToByteArray());
    },
    async close() {
      client.destroy();
      checker.destroy();
      server.httpServer.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The refusal AWS S3 gives a PUT whose `If-None-Match: *` or `If-Match` does not hold, or undefined when it holds. */
async function failedPrecondition(client: S3Client, path: string, headers: IncomingHttpHeaders): Promise<S3Refusal | undefined> {
  const [, bucket, ...key] = path.split('/');
  const etag = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key.join('/') })).then(
    (head) => head.ETag,
    (error: { name?: string }) => {
      if (error.name === 'NotFound') return undefined;
      throw error;
    },
  );
  const failed = { status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold' };
  if (headers['if-none-match'] === '*' && etag !== undefined) return failed;
  if (headers['if-match'] !== undefined && etag === undefined) return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' };
  if (headers['if-match'] !== undefined && headers['if-match'] !== etag) return failed;
  return undefined;
}
