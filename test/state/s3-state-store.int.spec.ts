import { PutObjectCommand } from '@aws-sdk/client-s3';
import { StateError } from '../../src/errors/state-error';
import { silentLogger } from '../../src/logger';
import { createS3StateStore } from '../../src/state/s3-state-store';
import { acquireLock } from '../../src/state/state-lock';
import { S3RVER_CREDENTIALS, type S3Server, startS3Server } from '../helpers/s3-server';
import { testStateStore } from './state-store-contract';

const BUCKET = 'state';
const savedEnv = { ...process.env };
let s3: S3Server;

beforeAll(async () => {
  // The SDK reads credentials from the environment, as it does for users.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey });
  s3 = await startS3Server({ buckets: [BUCKET] });
});
afterAll(async () => {
  process.env = savedEnv;
  await s3.close();
});

const storeAt = (server: S3Server, key: string) => createS3StateStore({ bucket: BUCKET, key, endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true });

let count = 0;
testStateStore('s3', async () => {
  count += 1;
  const key = `pipelines/case-${count}.json`;
  return {
    open: () => storeAt(s3, key),
    corrupt: async (text) => {
      await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: text }));
    },
  };
}, { journals: true });

describe('S3 state store', () => {
  it('keeps the lock in an object beside the state', async () => {
    const store = storeAt(s3, 'beside/pipeline.json');
    const held = await acquireLock(store, { pipeline: 'beside', logger: silentLogger });
    expect(JSON.parse((await s3.readObject(BUCKET, 'beside/pipeline.json.lock'))!.toString())).toEqual({ holder: held.holder });
    await held.release();
    await store.close?.();
  });

  it('refuses a store that ignores conditional writes, and frees the lock it wrote', async () => {
    const careless = await startS3Server({ buckets: [BUCKET], conditionalWrites: false });
    const store = storeAt(careless, 'careless.json');
    try {
      const error = await acquireLock(store, { pipeline: 'careless', logger: silentLogger }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).code).toBe('PF_STATE_UNSAFE_STORE');
      expect((error as StateError).message).toBe(
        '[state:s3://state/careless.json] the store ignores conditional writes (If-None-Match / If-Match), so it cannot keep two runs apart: keep the state on AWS S3 or a store that supports them (MinIO, Cloudflare R2), or in a file',
      );
      await expect(store.readLock()).resolves.toEqual({ version: expect.any(String) });
    } finally {
      await store.close?.();
      await careless.close();
    }
  });

  it('names the state and the cause when the store cannot be reached', async () => {
    const store = createS3StateStore({ bucket: BUCKET, key: 'x.json', endpoint: 'http://127.0.0.1:9', region: 'us-east-1', forcePathStyle: true });
    await expect(store.load()).rejects.toThrow(/^\[state:s3:\/\/state\/x\.json\] cannot read the state: .*ECONNREFUSED/);
    await store.close?.();
  });
});
