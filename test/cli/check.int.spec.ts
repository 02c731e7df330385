import { readdir, writeFile } from 'node:fs/promises';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { numberedRecords, type Shape, startApiServerPerTest } from '../helpers/api-server';
import { laravelSimpleApi } from '../helpers/laravel-simple-api';
import { runCli } from '../helpers/run-cli';
import { S3RVER_CREDENTIALS, type S3Server, startS3Server } from '../helpers/s3-server';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(30_000);
const startApi = startApiServerPerTest();
const TOKEN = 'tok_9d8c7b6a5f4e3d2c';
const AWS_ENV = { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };

let dir: TmpDir;
let s3: S3Server;
beforeAll(async () => (s3 = await startS3Server({ buckets: ['exports'] })));
afterAll(() => s3.close());
beforeEach(async () => (dir = await createTmpDir()));
afterEach(() => dir.remove());

const withToken = (shape: Shape): Shape => (url, headers) => (headers.authorization === `Bearer ${TOKEN}` ? shape(url, headers) : { status: 401, body: { message: 'Unauthenticated.' } });

interface Variant {
  readonly records?: string;
  readonly next?: string;
  readonly filePath?: string;
  readonly bucket?: string;
}

/** A pipeline against a token-protected Laravel API, into a file and an S3 bucket; `check` run on it. */
async function check({ records = 'data', next = 'next_page_url', filePath = 'out/customers.csv', bucket = 'exports' }: Variant = {}, token = TOKEN) {
  const api = await startApi(withToken(laravelSimpleApi(numberedRecords(40))));
  await writeFile(
    dir.resolve('p.yaml'),
    [
      'name: customers',
      'source:',
      '  type: http',
      `  url: ${api.origin}/v1/customers`,
      '  auth:',
      '    type: bearer',
      '    token: ${API_TOKEN}',
      `  records: ${records}`,
      `  pagination: { type: next-link, next: ${next} }`,
      'sinks:',
      `  - { type: file, path: ${filePath} }`,
      `  - { type: s3, bucket: ${bucket}, key: "customers/{date}/customers.csv", endpoint: "${s3.endpoint}", forcePathStyle: true }`,
    ].join('\n'),
  );
  return runCli(['check', 'p.yaml'], { cwd: dir.path, env: { API_TOKEN: token, ...AWS_ENV } });
}

const objectsIn = async (bucket: string) => (await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? [];

describe('pageflow check', () => {
  it('passes every check, and leaves no probe behind', async () => {
    const result = await check();
    expect(result.stdout.split('\n')).toEqual([
      '✓ pipeline: p.yaml is valid',
      expect.stringMatching(/^✓ API: GET http:\/\/127\.0\.0\.1:\d+\/v1\/customers answered 200 with the bearer credentials in \d+ms$/),
      '✓ records: "data" holds 15 records on the first page',
      expect.stringMatching(/^✓ pagination: next-link: the next page is http:\/\/127\.0\.0\.1:\d+\/v1\/customers\?page=2$/),
      expect.stringMatching(/^✓ sink file:out\/customers\.csv: .*\/out will be created in .*, which is writable$/),
      '✓ sink s3://exports/customers/{date}/customers.csv: bucket "exports" is reachable and writable (probe object written and deleted)',
      'all 6 checks passed',
      '',
    ]);
    expect(result.exitCode).toBe(0);
    expect(await readdir(dir.path)).toEqual(['p.yaml']);
    expect(await objectsIn('exports')).toEqual([]);
    expect(s3.requests.filter((request) => request.method === 'PUT' && request.path.startsWith('/exports/customers/.pageflow-check-'))).toHaveLength(1);
  });

  it('fails on a token the API refuses (401), redacted, with the hint of the configured auth', async () => {
    const wrong = 'tok_wrong_0123456789';
    const result = await check({}, wrong);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/✗ API: page 1 \(http:\/\/127\.0\.0\.1:\d+\/v1\/customers\): HTTP 401 Unauthenticated\. — check the token \(auth\.token\)\n/);
    expect(result.stdout + result.stderr).not.toContain(wrong);
    expect(result.stdout).toMatch(/1 of \d checks failed\n$/);
  });

  it('fails on a records path the page does not have, naming the lists it does have', async () => {
    const result = await check({ records: 'customers' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('✗ records: no "customers" in the first page (source.records); lists that do exist: data\n');
  });

  it('fails on a next path the page does not have, naming the look-alikes', async () => {
    const result = await check({ next: 'links.next' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('✗ pagination: next-link: no "links.next" in the page (pagination.next); paths that do exist: next_page_url');
  });

  it('fails on a file sink whose folder cannot be made (a file in the way)', async () => {
    await writeFile(dir.resolve('out'), 'not a folder');
    const result = await check({ filePath: 'out/customers.csv' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/✗ sink file:out\/customers\.csv: .*\/out is not a folder\n/);
  });

  it('fails on a bucket that does not exist', async () => {
    const result = await check({ bucket: 'missing-bucket' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('✗ sink s3://missing-bucket/customers/{date}/customers.csv: bucket "missing-bucket" does not exist');
  });
});
