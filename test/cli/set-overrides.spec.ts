import { parseOverrides } from '../../src/cli/set-overrides';
import { ConfigError } from '../../src/errors/config-error';

describe('parseOverrides', () => {
  it.each([
    { text: 'source.params.per_page=50', path: ['source', 'params', 'per_page'], value: '50' },
    { text: 'sinks[1].path=out/a.csv', path: ['sinks', 1, 'path'], value: 'out/a.csv' },
    { text: 'sinks.0.gzip=true', path: ['sinks', 0, 'gzip'], value: 'true' },
    { text: 'sinks[0].columns=[id, company]', path: ['sinks', 0, 'columns'], value: '[id, company]' },
    { text: 'source.url=http://127.0.0.1:8080/v1?a=b', path: ['source', 'url'], value: 'http://127.0.0.1:8080/v1?a=b' },
    { text: 'description=', path: ['description'], value: '' },
    { text: 'sinks[0].key={date}.csv', path: ['sinks', 0, 'key'], value: '{date}.csv' },
    { text: 'source.auth.token=${OTHER_TOKEN}', path: ['source', 'auth', 'token'], value: '${OTHER_TOKEN}' },
  ])('reads $text, keeping the value as written for the loader to read by its field', ({ text, path, value }) => {
    expect(parseOverrides([text])).toEqual([{ path, text: value }]);
  });

  it('reports every malformed override as a config error that names its path but not its value', () => {
    const parse = () => parseOverrides(['per_page', 'a..b=1', 'sinks[x].path=1', 'source.auth.token', 'name=ok']);

    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(
      [
        '--set: 4 problems',
        '  per_page: expected path=value, e.g. source.params.per_page=50 or sinks[0].path=out/a.csv',
        '  a..b: expected path=value, e.g. source.params.per_page=50 or sinks[0].path=out/a.csv',
        '  sinks[x].path: expected path=value, e.g. source.params.per_page=50 or sinks[0].path=out/a.csv',
        '  source.auth.token: expected path=value, e.g. source.params.per_page=50 or sinks[0].path=out/a.csv',
      ].join('\n'),
    );
  });
});
