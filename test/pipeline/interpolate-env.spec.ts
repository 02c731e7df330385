import { type Interpolation, interpolateEnv } from '../../src/pipeline/interpolate-env';

const interpolate = (value: unknown, env: Record<string, string | undefined>) => {
  const found: Interpolation = { issues: [], values: new Set() };
  return { value: interpolateEnv(value, env, found), ...found };
};

describe('interpolateEnv', () => {
  it.each([
    ['a whole value', '${TOKEN}', { TOKEN: 'abc' }, 'abc'],
    ['part of a value', '${BASE}/v1/customers', { BASE: 'http://127.0.0.1:8080' }, 'http://127.0.0.1:8080/v1/customers'],
    ['several variables', '${A}-${B}', { A: 'x', B: 'y' }, 'x-y'],
    ['the default of an unset variable', '${BASE:-https://api.mijnklantportaal.nl}/v1', {}, 'https://api.mijnklantportaal.nl/v1'],
    ['the default of an empty variable', '${BASE:-fallback}', { BASE: '' }, 'fallback'],
    ['the value over the default', '${BASE:-fallback}', { BASE: 'set' }, 'set'],
    ['an empty default', 'a${SUFFIX:-}b', {}, 'ab'],
    ['text without placeholders', 'plain $HOME {x}', { HOME: '/root' }, 'plain $HOME {x}'],
    ['a value that looks like a placeholder, once', '${A}', { A: '${B}', B: 'no' }, '${B}'],
  ])('replaces %s', (_name, text, env, expected) => {
    const result = interpolate(text, env);
    expect(result.value).toBe(expected);
    expect(result.issues).toEqual([]);
  });

  it('replaces in nested objects and arrays, and leaves other scalars alone', () => {
    const file = { source: { url: '${BASE}/x', params: { per_page: 100, active: true, nothing: null } }, sinks: [{ path: 'out/${NAME}.csv' }] };
    expect(interpolate(file, { BASE: 'http://h', NAME: 'customers' }).value).toEqual({
      source: { url: 'http://h/x', params: { per_page: 100, active: true, nothing: null } },
      sinks: [{ path: 'out/customers.csv' }],
    });
  });

  it('reports an unset variable without default by name and path', () => {
    const result = interpolate({ source: { auth: { token: '${MKP_TOKEN}' } }, sinks: [{ path: '${DIR}/a.csv' }] }, {});
    expect(result.issues).toEqual([
      {
        segments: ['source', 'auth', 'token'],
        path: 'source.auth.token',
        message: 'environment variable MKP_TOKEN is not set and has no default (write ${MKP_TOKEN:-default} to give one)',
      },
      expect.objectContaining({ path: 'sinks[0].path', message: expect.stringMatching(/^environment variable DIR is not set/) }),
    ]);
  });

  it('treats an empty variable without default as unset', () => {
    expect(interpolate('${MKP_TOKEN}', { MKP_TOKEN: '' }).issues).toHaveLength(1);
  });

  it('collects the values it took from the environment, never putting them in a message', () => {
    const result = interpolate({ token: '${MKP_TOKEN}', other: '${MISSING}', url: '${BASE:-http://default}' }, { MKP_TOKEN: 'tok-1234-secret' });
    expect([...result.values]).toEqual(['tok-1234-secret']);
    expect(JSON.stringify(result.issues)).not.toContain('tok-1234-secret');
  });
});
