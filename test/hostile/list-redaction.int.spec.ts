import { writeFile } from 'node:fs/promises';
import { runCli } from '../helpers/run-cli';
import { createTmpDir } from '../helpers/tmp-dir';
import { forbiddenForms } from './hostile-harness';

jest.setTimeout(20_000);

describe('pageflow list: no secret in any form', () => {
  it('redacts a key and a password written into the url, in text and JSON logs', async () => {
    const dir = await createTmpDir('pageflow-list-');
    try {
      const env = { LIST_KEY: 'k3y/with+chars=', LIST_PASSWORD: 'pw~List.Secret-1' };
      await writeFile(
        dir.resolve('export.yaml'),
        'name: export\nsource:\n  type: http\n  url: https://svc:${LIST_PASSWORD}@api.example/v1/items?sig=${LIST_KEY}&page=1\nsinks:\n  - type: file\n    path: out/items.csv\n',
      );
      for (const format of ['text', 'json']) {
        const result = await runCli(['--log-format', format, 'list', dir.path], { env });
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toMatch(/export\.yaml +export +http https:\/\/api\.example\/v1\/items\?sig=\*\*\*&page=1 +file:out\/items\.csv$/m);
        for (const form of Object.values(env).flatMap(forbiddenForms)) expect(`${result.stdout}${result.stderr}`).not.toContain(form);
      }
    } finally {
      await dir.remove();
    }
  });
});
