import { schemaToMarkdown } from '../../src/cli/schema-markdown';
import { createDefaultRegistry } from '../../src/pipeline/builtins';
import { pipelineJsonSchema } from '../../src/pipeline/json-schema';

describe('schemaToMarkdown', () => {
  const registry = createDefaultRegistry();
  const markdown = schemaToMarkdown(pipelineJsonSchema(registry));

  it('has a section for every registered component, with its summary', () => {
    const headings = [...markdown.matchAll(/^#### (Source|Transform|Sink) `([^`]+)`$/gm)].map(([, kind, type]) => `${kind} ${type}`);

    expect(headings).toEqual([
      ...registry.types('source').map((type) => `Source ${type}`),
      ...registry.types('operator').map((type) => `Transform ${type}`),
      ...registry.types('sink').map((type) => `Sink ${type}`),
    ]);
    for (const kind of ['source', 'operator', 'sink'] as const) for (const component of registry.list(kind)) expect(markdown).toContain(`\n\n${component.summary}\n\n`);
  });

  it('lists the top-level keys, then each option with its type, default and description', () => {
    expect(markdown.startsWith('| Key | Type | Default | Description |\n| --- | --- | --- | --- |\n| `name` | string | required | ')).toBe(true);
    expect(markdown).toContain('| `transforms` | object[] | `[]` | ');
    expect(markdown).toContain('| `path` | string | required | Output file.');
    expect(markdown).toContain('| `format` | `csv` \\| `ndjson` |  | Output format.');
    expect(markdown).toContain('| `auth` | object |  | Authentication, sent only');
    expect(markdown).toContain('| `auth.type` | `bearer` \\| `basic` \\| `api-key` \\| `oauth2-client-credentials` | required | `bearer`: ');
    expect(markdown).toContain('| `auth.in` | `header` \\| `query` | `header` | `api-key`: ');
    expect(markdown).toContain('| `auth.token` | string | required | `bearer`: The token');
    expect(markdown).toContain('| `records` | string | `data` | Dot path of the records array in each page; `""` when the body is the array. Missing or not an array fails the run. |');
    expect(markdown).not.toMatch(/[^`]``[^`]/); // an empty-string value is shown as `""`, not as an empty code span
  });
});
