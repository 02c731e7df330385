import { ConfigError } from '../../src/errors/config-error';
import { readPipeline, readPipelineFile } from '../../src/pipeline/load-pipeline';

const FILE = 'pipelines/streams.yaml';

const STREAMS = `name: mkp
budget: { rateLimit: { requests: 60, per: 60s } }
streams:
  customers:
    source: { type: http, url: "https://api.example.nl/v1/customers", auth: { type: bearer, token: "\${MKP_TOKEN}" } }
    sinks: [{ type: stdout }]
  contacts:
    source: { type: http, url: "https://api.example.nl/v1/customers" }
    transforms:
      - request: { url: "/v1/customers/{id}/contacts", emit: true, include: { customerId: id } }
    sinks: [{ type: stdout }]
`;

function issues(text: string): string[] {
  try {
    readPipelineFile(text, FILE, { env: { MKP_TOKEN: 'tok_123456' } });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.line}:${issue.column} ${issue.path}: ${issue.message}`);
    throw error;
  }
  throw new Error('expected the file to be invalid');
}

describe('pipeline files with several streams', () => {
  it('reads each stream as a pipeline named by its key, with the shared budget and the defaults', () => {
    const { file } = readPipelineFile(STREAMS, FILE, { env: { MKP_TOKEN: 'tok_123456' } });

    expect(file.multiStream).toBe(true);
    expect(file.streams.map((stream) => [stream.name, stream.transforms.map((step) => step.type)])).toEqual([
      ['customers', []],
      ['contacts', ['request']],
    ]);
    expect(file.budget).toEqual({ requests: 60, perMs: 60_000 });
    expect(file).toMatchObject({ onStreamFailure: 'rollback', parallelStreams: 4 });
    // The token came from the environment into a secret field of a stream: every stream redacts it.
    expect(file.streams[0].secrets).toContain('tok_123456');
  });

  it('reads a file without streams as one stream named after the pipeline', () => {
    const { file } = readPipelineFile('name: one\nsource: { type: http, url: "https://api.example.nl/x" }\nsinks: [{ type: stdout }]\n', FILE, { env: {} });
    expect(file.multiStream).toBe(false);
    expect(file.streams.map((stream) => stream.name)).toEqual(['one']);
  });

  it('places the problems of a stream under streams.<name>, at their lines', () => {
    const text = STREAMS.replace('- request:', '- requests:').replace('  contacts:\n', '  contacts:\n    name: contacts\n');
    expect(issues(text)).toEqual([
      expect.stringMatching(/^8:5 streams\.contacts\.name: a stream has no name of its own/),
      expect.stringMatching(/^11:19 streams\.contacts\.transforms\[0\]\.requests: unknown transform "requests": did you mean "request"\?/),
    ]);
  });

  it('refuses state in a stream, naming the stream, and a request step without attach or emit', () => {
    const text = STREAMS.replace('  customers:\n', '  customers:\n    state: { path: state/customers.json }\n').replace('emit: true, include: { customerId: id }', 'concurrency: 2');
    expect(issues(text)).toEqual([
      expect.stringContaining('streams.customers.state: state is not supported in a stream ("customers")'),
      expect.stringContaining('streams.contacts.transforms[0].request: expected either attach: <field> or emit: true'),
    ]);
  });

  it('refuses checkpoint in a stream, naming the stream', () => {
    const text = STREAMS.replace('  customers:\n', '  customers:\n    checkpoint: { every: 10 }\n');
    expect(issues(text)).toEqual([expect.stringContaining('streams.customers.checkpoint: checkpoint is not supported in a stream ("customers")')]);
  });

  it('refuses top-level source or sinks beside streams, and a file with no stream', () => {
    expect(issues(`${STREAMS}sinks: [{ type: stdout }]\n`)).toEqual([expect.stringContaining('unknown key "sinks"')]);
    expect(issues('name: mkp\nstreams: {}\n')).toEqual([expect.stringContaining('streams: expected at least one stream')]);
  });

  it('makes commands that take one stream say the file has several', () => {
    expect(() => readPipeline(STREAMS, FILE, { env: { MKP_TOKEN: 'x' } })).toThrow('the file has several streams (customers, contacts): this command takes a pipeline file with a single stream');
  });
});
