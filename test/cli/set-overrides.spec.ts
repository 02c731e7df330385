import { parseDocument } from 'yaml';
import { applyOverrides, parseOverrides } from '../../src/cli/set-overrides';
import { ConfigError } from '../../src/errors/config-error';

describe('parseOverrides', () => {
  it.each([
    { text: 'source.params.per_page=50', path: ['source', 'params', 'per_page'], value: 50 },
    { text: 'sinks[1].path=out/a.csv', path: ['sinks', 1, 'path'], value: 'out/a.csv' },
    { text: 'sinks.0.gzip=true', path: ['sinks', 0, 'gzip'], value: true },
    { text: 'sinks[0].columns=[id, company]', path: ['sinks', 0, 'columns'], value: ['id', 'company'] },
    { text: 'source.url=http://127.0.0.1:8080/v1?a=b', path: ['source', 'url'], value: 'http://127.0.0.1:8080/v1?a=b' },
    { text: 'description=', path: ['description'], value: null },
    { text: 'name="a=b"', path: ['name'], value: 'a=b' },
    { text: 'source.auth.token=${OTHER_TOKEN}', path: ['source', 'auth', 'token'], value: '${OTHER_TOKEN}' },
  ])('reads $text', ({ text, path, value }) => {
    expect(parseOverrides([text])).toEqual([{ path, value }]);
  });

  it('reports every malformed override as a config error that names its path but not its value', () => {
    const parse = () => parseOverrides(['per_page', 'a..b=1', 'sinks[x].path=1', 'source.auth.token=[s3cr3t-v4lue', 'name=ok']);

    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(
      [
        '--set: 4 problems',
        '  per_page: expected path=value, e.g. source.params.per_page=50 or sinks[0].path=out/a.csv',
        '  a..b: expected path=value, e.g. source.params.per_page=50 or sinks[0].path=out/a.csv',
        '  sinks[x].path: expected path=value, e.g. source.params.per_page=50 or sinks[0].path=out/a.csv',
        '  source.auth.token: the value is not valid YAML: ',
      ].join('\n'),
    );
    expect(parse).not.toThrow(/s3cr3t-v4lue/);
  });
});

describe('applyOverrides', () => {
  const file = 'name: a\nsource:\n  type: http\n  url: http://x\nsinks:\n  - type: stdout\n';

  it('sets values in the parsed file, creating missing keys and list items', () => {
    const document = parseDocument(file);

    applyOverrides(document, parseOverrides(['source.params.per_page=5', 'sinks[0].format=csv', 'sinks[1]={type: file, path: out/a.csv}']));

    expect(document.toJS()).toEqual({
      name: 'a',
      source: { type: 'http', url: 'http://x', params: { per_page: 5 } },
      sinks: [{ type: 'stdout', format: 'csv' }, { type: 'file', path: 'out/a.csv' }],
    });
  });

  it('reports a path through a plain value as a config error', () => {
    const document = parseDocument(file);

    expect(() => applyOverrides(document, parseOverrides(['source.url.host=y']))).toThrow(/^--set: 1 problem\n {2}source\.url\.host: cannot set it: /);
  });
});
