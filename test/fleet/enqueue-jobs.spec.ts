import { writeFile } from 'node:fs/promises';
import { ConfigError } from '../../src/errors/config-error';
import { parseVars, prepareJobs, readVarsFile } from '../../src/fleet/enqueue-jobs';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

let tmp: TmpDir;

beforeAll(async () => {
  tmp = await createTmpDir();
  await writeFile(
    tmp.resolve('p.yaml'),
    'name: p-${TENANT}\nsource: { type: http, url: "http://127.0.0.1:9/v1", auth: { type: bearer, token: "${TOKEN}" } }\nsinks: [{ type: file, path: "out/${TENANT}.csv" }]\n',
  );
});

afterAll(() => tmp.remove());

describe('readVarsFile', () => {
  it('reads one job per line, skipping blank lines; numbers and booleans become strings', async () => {
    await writeFile(tmp.resolve('ok.ndjson'), '{"TENANT":"acme","N":3}\n\n{"TENANT":"beta","ON":true}\n');
    expect(await readVarsFile(tmp.resolve('ok.ndjson'))).toEqual([
      { variables: { TENANT: 'acme', N: '3' }, origin: `${tmp.resolve('ok.ndjson')}:1` },
      { variables: { TENANT: 'beta', ON: 'true' }, origin: `${tmp.resolve('ok.ndjson')}:3` },
    ]);
  });

  it('lists every bad line with its number, never a value', async () => {
    await writeFile(tmp.resolve('bad.ndjson'), '[1]\n{"bad name":"x"}\n{"T":{"nested":"secret-value"}}\nnot json\n');
    const error = await readVarsFile(tmp.resolve('bad.ndjson')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map(({ line, message }) => `${line} ${message}`)).toEqual([
      '1 expected a JSON object of variables',
      '2 variable name "bad name": expected letters, digits and _',
      '3 T: expected a string, number or boolean',
      '4 expected a JSON object of variables, e.g. {"TENANT":"acme","MKP_TOKEN":"…"}',
    ]);
    expect((error as Error).message).not.toContain('secret-value');
  });

  it('refuses a file without jobs', async () => {
    await writeFile(tmp.resolve('empty.ndjson'), '\n\n');
    await expect(readVarsFile(tmp.resolve('empty.ndjson'))).rejects.toThrow(/no jobs: expected one JSON object of variables per line/);
  });
});

describe('parseVars', () => {
  it('splits at the first =, so values may hold one', () => {
    expect(parseVars(['A=1', 'B=x=y', 'C='])).toEqual({ A: '1', B: 'x=y', C: '' });
  });

  it('names the bad ones, never their values', () => {
    expect(() => parseVars(['NOVALUE', '9X=secret-value'])).toThrow(/--var: 2 problems\n {2}NOVALUE: expected NAME=value.*\n {2}9X: expected NAME=value/);
    expect(() => parseVars(['9X=secret-value'])).not.toThrow(/secret-value/);
  });
});

describe('prepareJobs', () => {
  const request = (jobs: { variables: Record<string, string>; origin?: string }[], jobId?: string) => ({ file: tmp.resolve('p.yaml'), set: [], jobs, jobId, env: {} });

  it('gives a single job the --job-id, and each line of a vars file that id as a prefix', async () => {
    const [single] = await prepareJobs(request([{ variables: { TENANT: 'acme', TOKEN: 't' } }], 'nightly'));
    expect(single.id).toBe('nightly');
    const lines = await prepareJobs(request([{ variables: { TENANT: 'a', TOKEN: 't' } }, { variables: { TENANT: 'b', TOKEN: 't' } }], 'nightly'));
    expect(lines.map((job) => job.id)).toEqual([expect.stringMatching(/^nightly-[0-9a-f]{16}$/), expect.stringMatching(/^nightly-[0-9a-f]{16}$/)]);
    expect(lines[0].id).not.toBe(lines[1].id);
    const [oneLine] = await prepareJobs(request([{ variables: { TENANT: 'a', TOKEN: 't' }, origin: 'tenants.ndjson:1' }], 'nightly'));
    expect(oneLine.id).toMatch(/^nightly-[0-9a-f]{16}$/); // a vars file of one line: still a prefix
  });

  it('names the job by its pipeline; secrets redacted, a tenant in a path shown', async () => {
    const [job] = await prepareJobs(request([{ variables: { TENANT: 'acme', TOKEN: 't' } }]));
    expect(job.name).toBe('p-acme');
    expect(job.id).toMatch(/^p-[0-9a-f]{16}$/);
  });

  it('marks a split job, whose id is not the same run in one piece, and refuses what cannot be split', async () => {
    const variables = { TENANT: 'acme', TOKEN: 't' };
    await writeFile(
      tmp.resolve('pages.yaml'),
      'name: pages\nsource: { type: http, url: "http://127.0.0.1:9/v1", pagination: { type: page-number, total: total }, auth: { type: bearer, token: "${TOKEN}" } }\nsinks: [{ type: s3, bucket: b, key: "${TENANT}.csv" }]\n',
    );
    const pages = { ...request([{ variables }]), file: tmp.resolve('pages.yaml') };
    const [whole] = await prepareJobs(pages);
    const [split] = await prepareJobs({ ...pages, splitPages: 200 });
    expect(whole.data.split).toBeUndefined();
    expect(split.data.split).toEqual({ pages: 200 });
    expect(split.id).not.toBe(whole.id);
    await expect(prepareJobs({ ...request([{ variables }]), splitPages: 200 })).rejects.toThrow(
      /p\.yaml: 2 problems\n {2}2:9 source\.pagination\.type: --split-pages: splits page-number pagination .* next-link pagination\n {2}3:17 sinks\[0\]\.type: --split-pages: a file sink cannot be assembled/,
    );
  });

  it('refuses the batch at the first job that does not load, naming its line', async () => {
    const jobs: { variables: Record<string, string>; origin: string }[] = [
      { variables: { TENANT: 'a', TOKEN: 't' }, origin: 'tenants.ndjson:1' },
      { variables: { TENANT: 'b' }, origin: 'tenants.ndjson:2' },
    ];
    await expect(prepareJobs(request(jobs))).rejects.toThrow(/p\.yaml \(variables of tenants\.ndjson:2\): 1 problem\n.*source\.auth\.token/);
  });
});
