import { ConfigError } from '../../src/errors/config-error';
import { defaultJobId, JOB_ID, jobVariables, loadJob, type PipelineJobData } from '../../src/fleet/pipeline-job';
import { TENANT_PIPELINE } from './helpers/tenant-pipeline';

const TEXT = TENANT_PIPELINE;

const data = (variables: Record<string, string>, set: string[] = []): PipelineJobData => ({ format: 1, pipeline: { file: 'customers.yaml', dir: '/srv/pipelines', text: TEXT, set }, variables });

describe('jobVariables', () => {
  it.each<{ name: string; given: Record<string, string>; env: Record<string, string>; expected: Record<string, string> }>([
    { name: 'given variables win over the environment', given: { TOKEN: 'from-line' }, env: { TOKEN: 'from-env' }, expected: { TOKEN: 'from-line' } },
    { name: 'the environment fills variables the file names', given: {}, env: { API: 'http://api', TENANT: 'acme' }, expected: { API: 'http://api', TENANT: 'acme' } },
    { name: 'variables the file does not name stay out', given: {}, env: { HOME: '/root', AWS_SECRET_ACCESS_KEY: 'x' }, expected: {} },
    { name: 'an empty environment variable counts as unset', given: {}, env: { TENANT: '' }, expected: {} },
    { name: 'given variables are kept even when unused', given: { LABEL: 'nightly' }, env: {}, expected: { LABEL: 'nightly' } },
  ])('$name', ({ given, env, expected }) => {
    expect(jobVariables(TEXT, [], given, env)).toEqual(expected);
  });

  it('reads the variables a --set names', () => {
    expect(jobVariables(TEXT, ['sinks.0.path=out/${REGION}.csv'], {}, { REGION: 'eu' })).toEqual({ REGION: 'eu' });
  });
});

describe('loadJob', () => {
  const saved = process.env.TOKEN;
  afterEach(() => {
    if (saved === undefined) delete process.env.TOKEN;
    else process.env.TOKEN = saved;
  });

  it('fills the ${VAR}s from the job’s variables only, never from the worker’s environment', () => {
    process.env.TOKEN = 'worker-token';
    expect(() => loadJob(data({ TENANT: 'acme' }))).toThrow(ConfigError);
    expect(() => loadJob(data({ TENANT: 'acme' }))).toThrow(/source\.auth\.token: environment variable TOKEN is not set/);
  });

  it('applies the --sets; a variable in auth is a secret, one in a path is not', () => {
    const job = loadJob(data({ TENANT: 'acme', TOKEN: 'secret-token' }, ['sinks[0].path=elsewhere/${TENANT}.csv']));
    expect(job.definition.sinks[0]).toMatchObject({ path: 'elsewhere/acme.csv' });
    expect(job.secrets).toContain('secret-token');
    expect(job.secrets).not.toContain('acme');
  });
});

describe('defaultJobId', () => {
  it('is the prefix and a hash of what the job runs: the same for the same run, different otherwise', () => {
    const id = defaultJobId(data({ TENANT: 'acme', TOKEN: 't' }), 'customers');
    expect(id).toMatch(/^customers-[0-9a-f]{16}$/);
    expect(JOB_ID.test(id)).toBe(true);
    expect(defaultJobId(data({ TOKEN: 't', TENANT: 'acme' }), 'customers')).toBe(id); // order does not matter
    expect(defaultJobId(data({ TENANT: 'acme', TOKEN: 'u' }), 'customers')).not.toBe(id);
    expect(defaultJobId(data({ TENANT: 'acme', TOKEN: 't' }, ['name=x']), 'customers')).not.toBe(id);
    expect(id).not.toContain('acme');
  });

  it('keeps only the characters a BullMQ id may hold', () => {
    expect(defaultJobId(data({}), 'my pipeline: v2')).toMatch(/^my-pipeline-v2-[0-9a-f]{16}$/);
  });
});

describe('JOB_ID', () => {
  it.each(['acme-2026-01-02', 'a.b_c', 'x1'])('accepts %s', (id) => expect(JOB_ID.test(id)).toBe(true));
  it.each(['12345', 'a:b', '', 'with space', 'x'.repeat(129)])('refuses %j', (id) => expect(JOB_ID.test(id)).toBe(false));
});
