import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipeline } from '../../src/pipeline/load-pipeline';

describe('README, Recurring exports', () => {
  it('shows a nightly pipeline that loads, with its state in S3 and an incremental source', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Recurring exports'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    const definition = parsePipeline(yaml, 'README.md', { env: { MKP_TOKEN: 'mkp_test_token' } });
    expect(definition.state).toMatchObject({ path: 's3://exports/state/customers-nightly.json', lease: 60_000 });
    expect(definition.source.incremental).toMatchObject({ field: 'createdAt', param: 'created_after', key: 'id', lookback: 0 });
  });
});
