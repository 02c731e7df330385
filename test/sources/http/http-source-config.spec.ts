import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/errors/config-error';
import { parsePipeline } from '../../../src/pipeline/load-pipeline';
import { createHttpSource } from '../../../src/sources/http/http-source';

const pipeline = (sourceOptions: string) => `
name: test
source:
  type: http
  url: https://api.example.test/v1/customers
${sourceOptions
  .split('\n')
  .map((line) => `  ${line}`)
  .join('\n')}
sinks:
  - type: stdout
`;

const configError = (text: string): ConfigError => {
  try {
    parsePipeline(text, 'test.yaml', { env: {} });
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('http source options (through a pipeline file)', () => {
  it('fills in the defaults', () => {
    expect(parsePipeline(pipeline(''), 'test.yaml', { env: {} }).source).toEqual({
      type: 'http',
      url: 'https://api.example.test/v1/customers',
      records: 'data',
      pagination: { type: 'next-link', next: 'next_page_url' },
      timeout: 30_000,
      maxResponseBytes: 100 * 1024 * 1024,
      retry: { attempts: 5, baseDelay: 500, maxDelay: 30_000, maxRetryAfter: 120_000, maxThrottled: 10, maxTotalWait: 1_800_000 },
      concurrency: 1,
      maxReadAheadBytes: 128 * 1024 * 1024,
      maxPages: 100_000,
      allowCrossOrigin: false,
    });
  });

  it('reads durations and the rate limit', () => {
    const text = pipeline('timeout: 5s\nretry: { attempts: 3, baseDelay: 10ms }\nrateLimit: { requests: 60, per: 1m }\nconcurrency: 8');
    expect(parsePipeline(text, 'test.yaml', { env: {} }).source).toMatchObject({
      timeout: 5000,
      retry: { attempts: 3, baseDelay: 10, maxDelay: 30_000 },
      rateLimit: { requests: 60, per: 60_000 },
      concurrency: 8,
    });
  });

  it.each([
    { option: 'timeout: 5 parsecs', path: 'source.timeout', message: 'expected a duration such as 500ms, 2s or 1m, got "5 parsecs"' },
    { option: 'retry: { attempts: 0 }', path: 'source.retry.attempts', message: expect.stringMatching(/>=\s?1/) },
    { option: 'rateLimit: { requests: 60, per: 0s }', path: 'source.rateLimit.per', message: 'expected a window longer than 0' },
    { option: 'concurrency: 0', path: 'source.concurrency', message: expect.stringMatching(/>=\s?1/) },
    { option: 'retry: { tries: 3 }', path: 'source.retry.tries', message: expect.stringContaining('tries') },
  ])('rejects $option at $path', ({ option, path, message }) => {
    const error = configError(pipeline(option));
    expect(error.exitCode).toBe(2);
    expect(error.issues).toEqual([expect.objectContaining({ path, message })]);
  });

  it('validates options given in code too', () => {
    expect(() => createHttpSource({ url: 'https://api.example.test', timeout: 'soon' })).toThrow(ConfigError);
  });

  it('ships customers-to-csv with the documented rate limit', () => {
    const text = readFileSync(join(__dirname, '../../../pipelines/customers-to-csv.yaml'), 'utf8');
    const definition = parsePipeline(text, 'customers-to-csv.yaml', { env: { MKP_TOKEN: 'tok_abcdef' } });
    expect(definition.source).toMatchObject({ rateLimit: { requests: 60, per: 60_000 } });
  });
});
