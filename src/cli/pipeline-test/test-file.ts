import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../errors/config-error';
import { parseConfigText, readConfigFile } from '../../pipeline/load-pipeline';
import { formatPath } from '../../pipeline/issue-path';
import { required, zodIssues } from '../../pipeline/schema';
import type { DataRecord } from '../../record';
import { parseRecordsText } from '../records-text';
import { readRecordedPages, recordedPage, type ReplayPage } from './recorded-pages';

const records = z.array(z.record(z.string(), z.unknown()));
/** Expected records: inline, or a file of them (NDJSON, or a JSON list) relative to the test file. */
const expectedRecords = z
  .union([records, z.string().min(1)])
  .meta({ description: 'The records, inline, or a file holding them (`.ndjson`/`.jsonl`, or a JSON list), relative to the test file.' });

const inlinePage = recordedPage.extend({
  body: z
    .unknown()
    .refine((body) => body !== undefined, 'expected the body: the page as JSON (a YAML mapping), or a string served as it is')
    .meta({ description: 'The response body: a mapping/list is served as JSON, a string as it is.' }),
});

const testCase = z.strictObject({
  name: z.string(required('every test has a name')).min(1).meta({ description: 'Names the test in the output.' }),
  pages: z
    .union([z.string().min(1), z.array(inlinePage).min(1, 'expected at least one page')], required('the pages the API answers with: a recorded fixture directory, or a list of pages'))
    .meta({ description: 'What the API answers: a recorded fixture directory (with pages.json) relative to the test file, or the pages inline.' }),
  expect: z
    .strictObject(
      {
        records: expectedRecords.optional().meta({ description: 'What every sink receives, in order.' }),
        sinks: z.record(z.string(), expectedRecords).optional().meta({ description: 'What each sink receives, by its name in the summary line (`file:out/customers.csv`, `stdout`).' }),
        error: z.string().min(1).optional().meta({ description: 'The run must fail with a message containing this text.' }),
      },
      required('what the run must produce: records, sinks or error'),
    )
    .refine((expected) => Object.values(expected).some((value) => value !== undefined), 'expected records, sinks or error')
    .meta({ description: 'What the run must produce.' }),
});

/** A `*.test.yaml`: a pipeline and the cases it is run through against replayed pages. */
export const pipelineTestFile = z.strictObject({
  pipeline: z.string(required('the pipeline file the tests run, relative to this file')).min(1).meta({ description: 'The pipeline file, relative to the test file.' }),
  env: z.record(z.string(), z.string()).default({}).meta({ description: 'Values for the ${VAR}s of the pipeline; unset ones get stand-ins.' }),
  stream: z.string().min(1).optional().meta({ description: 'The stream the tests run, for a pipeline file with several (`streams:`).' }),
  tests: z.array(testCase, required('a list of tests, each with name, pages and expect')).min(1, 'expected at least one test'),
});

export interface TestCase {
  readonly name: string;
  /** What the replay server answers. */
  readonly pages: readonly ReplayPage[];
  /** Origins in the pages to be replaced by the replay server's (a recorded fixture's own). */
  readonly origins: readonly string[];
  /** `records` for every sink; `sinks` by sink name. */
  readonly expect: { readonly records?: readonly DataRecord[]; readonly sinks: Readonly<Record<string, readonly DataRecord[]>>; readonly error?: string };
}

export interface PipelineTest {
  readonly file: string;
  readonly pipelineFile: string;
  readonly env: Readonly<Record<string, string>>;
  /** The stream of a file with several that the tests run. */
  readonly stream?: string;
  readonly cases: readonly TestCase[];
}

/** Reads and validates a `*.test.yaml` with its fixtures; a problem in any is a `ConfigError` at its place. */
export async function loadPipelineTest(file: string): Promise<PipelineTest> {
  const source = parseConfigText(await readConfigFile(file), file, 'pipeline test');
  const raw = source.document.toJS() as unknown;
  const parsed = pipelineTestFile.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, zodIssues([], parsed.error, pipelineTestFile, raw).map((issue) => source.locate(issue)));
  const dir = dirname(file);
  const cases = await Promise.all(
    parsed.data.tests.map(async (test, index): Promise<TestCase> => {
      const at = (...segments: (string | number)[]) => ['tests', index, ...segments];
      const read = (value: readonly DataRecord[] | string, segments: (string | number)[]) =>
        readExpected(value, dir, (message) => new ConfigError(file, [source.locate({ segments, path: formatPath(segments), message })]));
      const recorded = typeof test.pages === 'string' ? await readRecordedPages(resolve(dir, test.pages)) : undefined;
      const sinks = Object.fromEntries(
        await Promise.all(Object.entries(test.expect.sinks ?? {}).map(async ([name, value]) => [name, await read(value, at('expect', 'sinks', name))] as const)),
      );
      return {
        name: test.name,
        pages: recorded?.pages ?? (test.pages as z.output<typeof inlinePage>[]).map(inlineToReplay),
        origins: recorded ? [recorded.origin] : [],
        expect: {
          records: test.expect.records === undefined ? undefined : await read(test.expect.records, at('expect', 'records')),
          sinks,
          error: test.expect.error,
        },
      };
    }),
  );
  return { file, pipelineFile: join(dir, parsed.data.pipeline), env: parsed.data.env, ...(parsed.data.stream && { stream: parsed.data.stream }), cases };
}

function inlineToReplay({ body, headers, ...page }: z.output<typeof inlinePage>): ReplayPage {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const contentType: Record<string, string> = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type') ? {} : { 'content-type': 'application/json' };
  return { ...page, headers: { ...contentType, ...headers }, body: Buffer.from(text) };
}

/** Inline records as they are; a file of records read as NDJSON or a JSON list. */
async function readExpected(value: readonly DataRecord[] | string, dir: string, problem: (message: string) => ConfigError): Promise<readonly DataRecord[]> {
  if (typeof value !== 'string') return value;
  const text = await readConfigFile(resolve(dir, value));
  try {
    return parseRecordsText(text);
  } catch (error) {
    throw problem(`${value}: ${(error as Error).message}`);
  }
}
