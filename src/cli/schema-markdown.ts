import { PLACEHOLDER_JSON_SCHEMA } from '../pipeline/json-schema';

/** A JSON Schema node, as `pipelineJsonSchema` produces them. */
interface Node {
  readonly pattern?: string;
  readonly type?: string | string[];
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly Node[];
  readonly oneOf?: readonly Node[];
  readonly items?: Node;
  readonly properties?: Readonly<Record<string, Node>>;
  readonly additionalProperties?: Node | boolean;
  readonly required?: readonly string[];
  readonly default?: unknown;
  readonly description?: string;
  readonly examples?: readonly unknown[];
}

// Strings bare (`data`), anything else as JSON (`[]`, `""`), so an empty string stays visible.
const code = (value: unknown) => `\`${typeof value === 'string' && value !== '' ? value : JSON.stringify(value)}\``;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A short type for a table cell: `string`, `csv | ndjson`, `string[]`, `map of string`, `{ key, hash }`. */
function typeOf(node: Node): string {
  if (node.const !== undefined) return code(node.const);
  if (node.enum) return node.enum.map(code).join(' | ');
  // Any number or boolean option may be a whole `${VAR}`: said once, above the tables, not on every row.
  const all = node.anyOf ?? node.oneOf;
  const alternatives = all?.filter((alternative) => alternative.pattern !== PLACEHOLDER_JSON_SCHEMA.pattern);
  if (alternatives?.length === 1 && all?.length === 2) return typeOf(alternatives[0]);
  // Components (each its own object) are described in their own sections.
  if (alternatives) return alternatives.every((alternative) => alternative.properties) ? 'object' : alternatives.map(typeOf).join(' | ');
  if (node.type === 'array') return `${typeOf(node.items ?? {})}[]`;
  if (node.properties) return `{ ${Object.keys(node.properties).join(', ')} }`;
  if (typeof node.additionalProperties === 'object') return `map of ${typeOf(node.additionalProperties)}`;
  return Array.isArray(node.type) ? node.type.join(' | ') : (node.type ?? 'any');
}

/**
 * One row per option; an object option's own options follow it as `parent.child`. `variant` names the
 * kind (`bearer`) whose options these are, when the parent is one of several kinds told apart by `type`.
 */
function optionRows(node: Node, prefix = '', variant?: string): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, option]) => {
    if (key === 'type' && (prefix === '' || variant)) return []; // the heading, or the parent's `type` row, names it
    const fallback = option.default !== undefined ? code(option.default) : node.required?.includes(key) ? 'required' : '';
    const variants = typedVariants(option);
    const nested = (option.type === 'object' && option.properties !== undefined) || variants !== undefined;
    const description = [variant && `${variant}:`, option.description].filter(Boolean).join(' ');
    const row = `| \`${prefix}${key}\` | ${nested ? 'object' : cell(typeOf(option))} | ${cell(fallback)} | ${cell(description)} |`;
    if (variants) return [row, ...variantRows(variants, `${prefix}${key}.`)];
    return nested ? [row, ...optionRows(option, `${prefix}${key}.`, variant)] : [row];
  });
}

/** The alternatives of an option that is one of several objects told apart by `type` (the auth types), if it is one. */
function typedVariants(option: Node): readonly Node[] | undefined {
  const alternatives = option.oneOf ?? option.anyOf;
  return alternatives?.every((alternative) => alternative.properties?.type?.const !== undefined) ? alternatives : undefined;
}

/** `auth.type` with every choice, then each choice's own options, marked as belonging to it. */
function variantRows(variants: readonly Node[], prefix: string): string[] {
  const types = variants.map((variant) => code(variant.properties?.type?.const));
  return [
    `| \`${prefix}type\` | ${cell(types.join(' | '))} | required | ${cell(variants.map((variant, index) => `${types[index]}: ${variant.description ?? ''}`.trim()).join(' '))} |`,
    ...variants.flatMap((variant, index) => optionRows(variant, prefix, types[index])),
  ];
}

function componentSection(kind: string, component: Node): string[] {
  return [
    `#### ${kind} \`${String(component.properties?.type?.const)}\``,
    '',
    component.description ?? '',
    '',
    '| Option | Type | Default | Description |',
    '| --- | --- | --- | --- |',
    ...optionRows(component),
    '',
  ];
}

function stepSection(step: Node): string[] {
  const [[key, value]] = Object.entries(step.properties ?? {});
  const lines = [`#### Transform \`${key}\``, '', step.description ?? '', '', `Value: ${typeOf(value)}${value.description ? `. ${value.description}` : ''}`, ''];
  if (value.examples) lines.push('```yaml', ...value.examples.map((example) => `- ${key}: ${JSON.stringify(example)}`), '```', '');
  return lines;
}

/** The table of a file's top-level keys; a key with options of its own (`state`) lists them too. */
function keyTable(schema: Node): string[] {
  return [
    '| Key | Type | Default | Description |',
    '| --- | --- | --- | --- |',
    ...Object.entries(schema.properties ?? {}).flatMap(([key, node]) => {
      const fallback = schema.required?.includes(key) ? 'required' : node.default !== undefined ? code(node.default) : '';
      const own = node.properties === undefined ? [] : optionRows(node, `${key}.`);
      return [`| \`${key}\` | ${own.length > 0 ? 'object' : cell(typeOf(node))} | ${cell(fallback)} | ${cell(node.description ?? '')} |`, ...own];
    }),
  ];
}

/**
 * The components part of the README's pipeline file reference, in Markdown, generated from the JSON
 * Schema so that it cannot drift from what the loader accepts: `pageflow schema --format markdown`.
 */
export function schemaToMarkdown(file: Node): string {
  // A file has one stream or several (`streams:`); the components are the same in both.
  const [schema, several] = file.anyOf ?? [file];
  const { source, transforms, sinks } = schema.properties ?? {};
  const ownKeys = new Set(Object.keys(schema.properties ?? {}));
  const streamKeys = Object.fromEntries(Object.entries(several?.properties ?? {}).filter(([key]) => !ownKeys.has(key)));
  return [
    ...keyTable(schema),
    ...(several
      ? ['', `With several streams (\`streams:\`), the file has \`name\`, \`description\`, \`expressions\` and these keys instead of \`source\`, \`transforms\`, \`sinks\`, \`rejects\`, \`maxRejects\` and \`state\`:`, '', ...keyTable({ ...several, properties: streamKeys })]
      : []),
    '',
    ...(source?.oneOf ?? []).flatMap((component) => componentSection('Source', component)),
    ...(transforms?.items?.anyOf ?? []).flatMap(stepSection),
    ...(sinks?.items?.oneOf ?? []).flatMap((component) => componentSection('Sink', component)),
  ].join('\n');
}
