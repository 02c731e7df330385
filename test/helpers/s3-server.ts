import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  readonly httpServer: Server;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver ships no type declarations.
const S3rver = require('s3rver') as S3rverConstructor;

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
export async function startS3Server({ buckets, intercept }: S3ServerOptions): Promise<S3Server> {
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
  const handlers = server.httpServer.listeners('request') as ((...args: unknown[]) => void)[];
  server.httpServer.removeAllListeners('request');
  server.httpServer.on('request', (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const seen: S3Request = { method: request.method ?? '', path: decodeURIComponent(url.pathname), query: Object.fromEntries(url.searchParams) };
    requests.push(seen);
    void Promise.resolve(intercept?.(seen)).then((refusal) => {
      if (!refusal) return handlers.forEach((handler) => handler(request, response));
      // Read the body first, as S3 does, so the client gets the answer rather than a broken pipe.
      request.resume().once('end', () =>
        setImmediate(() => {
          response.writeHead(refusal.status, { 'content-type': 'application/xml' });
          response.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${refusal.message}</Message></Error>`);
        }),
      );
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
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
      server.httpServer.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
