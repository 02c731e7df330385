import { parse as parseYaml, stringify } from 'yaml';
import type { ConfigError } from '../../../../src/errors/config-error';
import { parsePipeline } from '../../../../src/pipeline/load-pipeline';
import { httpSource } from '../../../../src/sources/http/http-source';

// Options are written as YAML flow text, as in a pipeline file.
const pipeline = (sourceOptions: string) =>
  stringify({ name: 'test', source: { type: 'http', url: 'https://api.example.test/v1/customers', ...parseYaml(`{ ${sourceOptions} }`) }, sinks: [{ type: 'stdout' }] });
const parse = (options: string, env: Record<string, string> = {}) => parsePipeline(pipeline(options), 'test.yaml', { env }).source;
const configError = (options: string, env: Record<string, string> = {}): ConfigError => {
  try {
    parse(options, env);
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('auth and tls options (through a pipeline file)', () => {
  it('fills in the defaults: api-key in a header, client_secret_basic, tls checked', () => {
    expect(parse('auth: { type: api-key, name: X-Api-Key, value: k3y_abcdef }')).toMatchObject({ auth: { type: 'api-key', name: 'X-Api-Key', value: 'k3y_abcdef', in: 'header' } });
    expect(parse('auth: { type: oauth2-client-credentials, tokenUrl: "https://auth.example.test/oauth/token", clientId: cid, clientSecret: cs3cret }')).toMatchObject({
      auth: { clientAuth: 'client_secret_basic' },
    });
    expect(parse('tls: { ca: certs/ca.pem }')).toMatchObject({ tls: { ca: 'certs/ca.pem', insecure: false } });
  });

  it.each([
    { name: 'a colon in a Basic user name', option: 'auth: { type: basic, username: "a:b", password: pw_secret }', path: 'source.auth.username', message: 'a username cannot contain ":" in Basic auth' },
    { name: 'an empty password', option: 'auth: { type: basic, username: bot, password: "" }', path: 'source.auth.password', message: expect.stringContaining('the password is empty') },
    { name: 'a header name with a space', option: 'auth: { type: api-key, name: "X Api Key", value: k3y_abcdef }', path: 'source.auth.name', message: 'not a valid header name' },
    { name: 'api-key in a cookie', option: 'auth: { type: api-key, name: k, value: k3y_abcdef, in: cookie }', path: 'source.auth.in', message: expect.stringContaining('header') },
    { name: 'a token URL that is not http(s)', option: 'auth: { type: oauth2-client-credentials, tokenUrl: "ftp://auth.example.test/token", clientId: cid, clientSecret: cs3cret }', path: 'source.auth.tokenUrl', message: expect.any(String) },
    { name: 'an unknown client auth method', option: 'auth: { type: oauth2-client-credentials, tokenUrl: "https://a.test/t", clientId: cid, clientSecret: cs3cret, clientAuth: private_key_jwt }', path: 'source.auth.clientAuth', message: expect.stringContaining('client_secret_post') },
    { name: 'an unknown tls option', option: 'tls: { cert: client.pem }', path: 'source.tls.cert', message: 'unknown key "cert" (expected one of: ca, insecure)' },
    { name: 'insecure that is not a boolean', option: 'tls: { insecure: "yes" }', path: 'source.tls.insecure', message: expect.stringContaining('boolean') },
  ])('rejects $name', ({ option, path, message }) => {
    const error = configError(option);
    expect(error.exitCode).toBe(2);
    expect(error.issues).toEqual([expect.objectContaining({ path, message })]);
  });

  it('rejects a client secret simple-oauth2 could not send without quoting it', () => {
    const error = configError('auth: { type: oauth2-client-credentials, tokenUrl: "https://a.test/t", clientId: cid, clientSecret: "${CLIENT_SECRET}" }', { CLIENT_SECRET: 'geheim-wachtwoord-ü' });
    expect(error.issues).toEqual([expect.objectContaining({ path: 'source.auth.clientSecret', message: expect.stringContaining('printable ASCII') })]);
    expect(error.message).not.toContain('geheim');
  });

  it.each([
    { type: 'basic', auth: { type: 'basic', username: 'bot', password: 'pw_secret' }, secrets: ['bot:pw_secret', 'pw_secret'] },
    { type: 'api-key', auth: { type: 'api-key', name: 'api_key', value: 'k3y_abcdef', in: 'query' }, secrets: ['k3y_abcdef'] },
    {
      type: 'oauth2-client-credentials',
      auth: { type: 'oauth2-client-credentials', tokenUrl: 'https://a.test/t', clientId: 'c id', clientSecret: "s3cret+/!'", clientAuth: 'client_secret_basic' },
      // The form-encoded pair is what a Basic header base64-encodes.
      secrets: ['c+id:s3cret%2B%2F%21%27', "s3cret+/!'"],
    },
  ])('$type: lists its secrets for redaction', ({ auth, secrets }) => {
    const config = httpSource.config.parse({ type: 'http', url: 'https://api.example.test', auth });
    expect(httpSource.secrets?.(config)).toEqual(secrets);
  });
});
