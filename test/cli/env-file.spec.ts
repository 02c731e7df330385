import { writeFile } from 'node:fs/promises';
import { loadEnvFile } from '../../src/cli/env-file';
import { ConfigError } from '../../src/errors/config-error';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

let dir: TmpDir;
beforeAll(async () => {
  dir = await createTmpDir('pageflow-env-file-');
  await writeFile(dir.resolve('.env'), '# comment\nMKP_TOKEN="tok en#1"\nexport OUT_DIR=out/nightly\nEMPTY=\nSET=from-file\n');
});
afterAll(() => dir.remove());

describe('loadEnvFile', () => {
  it('adds the variables of a dotenv file; those already set win', async () => {
    const env: NodeJS.ProcessEnv = { SET: 'from-environment' };

    await loadEnvFile(dir.resolve('.env'), env);

    expect(env).toEqual({ MKP_TOKEN: 'tok en#1', OUT_DIR: 'out/nightly', EMPTY: '', SET: 'from-environment' });
  });

  it('reports a file it cannot read as a config error, in words', async () => {
    await expect(loadEnvFile(dir.resolve('missing.env'), {})).rejects.toThrow(ConfigError);
    await expect(loadEnvFile(dir.resolve('missing.env'), {})).rejects.toThrow(/missing\.env: 1 problem\n {2}cannot read the file: there is no such file or directory \(ENOENT\)$/);
  });
});
