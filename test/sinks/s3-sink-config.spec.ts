import { ConfigError, type ConfigIssue } from '../../src/errors/config-error';
import { loadPipeline, parsePipeline } from '../../src/pipeline/load-pipeline';

const pipeline = (sink: string) => `
name: to-s3
source: { type: http, url: "http://127.0.0.1:8080/v1/customers" }
sinks:
  - ${sink}
`;

/** The issues a pipeline text is rejected with (fails the test when it is accepted). */
function issuesOf(text: string, env: Record<string, string> = {}): readonly ConfigIssue[] {
  try {
    parsePipeline(text, 'to-s3.yaml', { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    return (error as ConfigError).issues;
  }
  throw new Error('the pipeline was accepted');
}

describe('s3 sink options', () => {
  it('accepts the options of the issue, an empty endpoint meaning AWS', () => {
    const definition = parsePipeline(
      pipeline('{ type: s3, bucket: exports, key: "customers/customers-{date}.csv.gz", region: eu-west-1, endpoint: "${S3_ENDPOINT:-}", forcePathStyle: true }'),
      'to-s3.yaml',
      { env: {} },
    );
    expect(definition.sinks[0]).toMatchObject({ type: 's3', bucket: 'exports', key: 'customers/customers-{date}.csv.gz', endpoint: '' });
  });

  it.each([
    { name: 'a missing bucket', sink: '{ type: s3, key: a.csv }', path: 'sinks[0].bucket', message: /expected string/ },
    { name: 'a missing key', sink: '{ type: s3, bucket: exports }', path: 'sinks[0].key', message: /expected string/ },
    { name: 'a bucket given as a URL', sink: '{ type: s3, bucket: "s3://exports", key: a.csv }', path: 'sinks[0].bucket', message: /expected a bucket name/ },
    { name: 'an unknown placeholder', sink: '{ type: s3, bucket: exports, key: "a-{dat}.csv" }', path: 'sinks[0].key', message: /unknown placeholder \{dat\} \(expected one of: \{date\}, \{timestamp\}, \{runId\}, \{part\}, \{record.<field path>\}\)/ },
    { name: 'a key without a format', sink: '{ type: s3, bucket: exports, key: a.txt }', path: 'sinks[0].format', message: /cannot tell the format/ },
    { name: 'an endpoint without a scheme', sink: '{ type: s3, bucket: exports, key: a.csv, endpoint: "localhost:9000" }', path: 'sinks[0].endpoint', message: /http\(s\) URL/ },
    { name: 'parts below S3’s 5 MiB minimum', sink: '{ type: s3, bucket: exports, key: a.csv, partSize: 4MiB }', path: 'sinks[0].partSize', message: /from 5MiB to 5GiB/ },
    { name: 'a part size that is not a size', sink: '{ type: s3, bucket: exports, key: a.csv, partSize: big }', path: 'sinks[0].partSize', message: /e\.g\. 8MiB/ },
    { name: 'maxRecords without {part} in the key', sink: '{ type: s3, bucket: exports, key: a.csv, maxRecords: 10 }', path: 'sinks[0].maxRecords', message: /^maxRecords starts new parts: put \{part\} in key/ },
    { name: 'a maxBytes that is not a size', sink: '{ type: s3, bucket: exports, key: "a-{part}.csv", maxBytes: huge }', path: 'sinks[0].maxBytes', message: /expected a size such as 256MiB/ },
    { name: 'gzip around Parquet', sink: '{ type: s3, bucket: exports, key: a.parquet.gz }', path: 'sinks[0].key', message: /^Parquet compresses its own columns/ },
    { name: 'a Parquet option on CSV', sink: '{ type: s3, bucket: exports, key: a.csv, rowGroupSize: 10 }', path: 'sinks[0].rowGroupSize', message: /^rowGroupSize applies to Parquet only \(this sink writes csv\)$/ },
    { name: 'a column type on CSV', sink: '{ type: s3, bucket: exports, key: a.csv, columns: [{ name: id, type: int64 }] }', path: 'sinks[0].columns[0].type', message: /^column types apply to Parquet only/ },
    { name: 'an unknown column type', sink: '{ type: s3, bucket: exports, key: a.parquet, columns: [{ name: id, type: integer }] }', path: 'sinks[0].columns[0].type', message: /^Invalid option: expected one of "string"\|"int64"/ },
    { name: 'zstd, which Node 20 cannot write', sink: '{ type: s3, bucket: exports, key: a.parquet, compression: zstd }', path: 'sinks[0].compression', message: /expected one of "snappy"\|"gzip"\|"none"/ },
    { name: 'no parts in flight', sink: '{ type: s3, bucket: exports, key: a.csv, queueSize: 0 }', path: 'sinks[0].queueSize', message: /expected number to be >=1/ },
  ])('rejects $name before anything runs', ({ sink, path, message }) => {
    const issues = issuesOf(pipeline(sink));
    expect(issues).toEqual([expect.objectContaining({ path, message: expect.stringMatching(message) })]);
  });

  it('refuses credentials in the file, naming the keys but never their values', () => {
    const issues = issuesOf(pipeline('{ type: s3, bucket: exports, key: a.csv, accessKeyId: AKIAEXAMPLE1234, secretAccessKey: "s3cr3t-value" }'));
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toBe(
      'credentials are never read from pipeline files (found "accessKeyId", "secretAccessKey"): use the AWS default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance or task role)',
    );
    expect(JSON.stringify(issues)).not.toMatch(/AKIAEXAMPLE1234|s3cr3t-value/);
  });

  it('accepts part sizes in bytes or with a unit', () => {
    for (const partSize of ['8MiB', '"16 MB"', '1GiB', '5242880']) {
      expect(() => parsePipeline(pipeline(`{ type: s3, bucket: exports, key: a.csv, partSize: ${partSize} }`), 'to-s3.yaml', { env: {} })).not.toThrow();
    }
  });

  it('loads pipelines/customers-to-s3.yaml with S3_ENDPOINT unset', async () => {
    const definition = await loadPipeline(`${__dirname}/../../pipelines/customers-to-s3.yaml`, { env: { MKP_TOKEN: 'token-1234' } });
    expect(definition.sinks).toEqual([{ type: 's3', bucket: 'exports', key: 'customers/customers-{date}.csv.gz', endpoint: '', forcePathStyle: true }]);
  });
});
