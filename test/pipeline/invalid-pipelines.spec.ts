import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ConfigError } from '../../src/errors/config-error';
import { loadPipeline } from '../../src/pipeline/load-pipeline';

// Golden files: each invalid pipeline next to the exact error text it must produce.
const ROOT = join(__dirname, '..', '..');
const DIR = join(ROOT, 'test', 'fixtures', 'pipelines', 'invalid');
const cases = readdirSync(DIR)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => name.slice(0, -'.yaml'.length));

describe('invalid pipeline files', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(5);
  });

  it.each(cases)('%s gives the expected error', async (name) => {
    const file = relative(ROOT, join(DIR, `${name}.yaml`));
    const expected = (await readFile(join(DIR, `${name}.expected.txt`), 'utf8')).trimEnd();
    const error = await loadPipeline(file, { env: {} }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(expected);
  });
});
