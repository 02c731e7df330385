import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaToMarkdown } from '../src/cli/schema-markdown';
import { pipelineJsonSchema } from '../src/pipeline/json-schema';

describe('README', () => {
  it('carries the pipeline reference generated from the current schema (regenerate: pageflow schema --format markdown)', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const reference = /<!-- reference:start -->\n([\s\S]*)\n<!-- reference:end -->/.exec(readme)?.[1];
    expect(reference).toBe(schemaToMarkdown(pipelineJsonSchema()).trimEnd());
  });
});
