import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../errors/config-error';
import { Redactor, redactingLogger } from '../../errors/redact';
import { buildPipeline } from '../../pipeline/build-pipeline';
import { readConfigFile, readPipelineFile } from '../../pipeline/load-pipeline';
import type { PipelineDefinition, PipelineFile } from '../../pipeline/schema';
import { runPipeline } from '../../pipeline/run-pipeline';
import type { CliIo } from '../io';
import { CaptureSink } from '../pipeline-test/capture-sink';
import { diffRecords } from '../pipeline-test/record-diff';
import { startReplayServer } from '../pipeline-test/replay-server';
import { loadPipelineTest, type PipelineTest, type TestCase } from '../pipeline-test/test-file';
import { reportError } from '../report-error';
import { DEFAULT_PIPELINE_DIR, PIPELINE_TEST_FILE } from './list';

/** A test whose run has not ended by then fails: a pipeline test should take moments. */
export const TEST_TIMEOUT_MS = 30_000;

interface Outcome {
  readonly name: string;
  /** Undefined: passed. */
  readonly failure?: readonly string[];
  readonly summary: string;
}

/**
 * Runs pipeline tests (`*.test.yaml`; by default every one under `pipelines/`): each test runs its
 * pipeline for real (source, pagination, transforms) against a loopback server replaying its
 * pages, with the sinks replaced by in-memory captures, and compares what each sink received with
 * what it expects. Prints a line per test, a diff per failure and `N passed, N failed`. Exit 0 when
 * all pass, 1 when any fails, 2 when a test file or its pipeline is invalid.
 */
export async function testPipelines(files: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  let passed = 0;
  let failed = 0;
  const testFiles = files.length > 0 ? files : await findTestFiles(DEFAULT_PIPELINE_DIR);
  if (testFiles.length === 0) {
    io.logger.log('warn', `no pipeline tests (*.test.yaml) under ${DEFAULT_PIPELINE_DIR}/`);
    return 0;
  }
  for (const file of testFiles) {
    let test: PipelineTest;
    try {
      test = await loadPipelineTest(file);
    } catch (error) {
      exitCode = Math.max(exitCode, reportError(error, io));
      continue;
    }
    for (const testCase of test.cases) {
      const outcome = await runCase(test, testCase, io);
      if (outcome.failure === undefined) passed += 1;
      else failed += 1;
      io.stdout.write(`${outcome.failure === undefined ? 'PASS' : 'FAIL'} ${file} › ${outcome.name}${outcome.summary ? ` (${outcome.summary})` : ''}\n`);
      for (const line of outcome.failure ?? []) io.stdout.write(`    ${line}\n`);
      if (outcome.failure !== undefined) exitCode = Math.max(exitCode, 1);
    }
  }
  io.stdout.write(`${passed} passed, ${failed} failed\n`);
  return exitCode;
}

/** The `*.test.yaml` files under `dir`, sorted. */
async function findTestFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names
    .filter((name) => PIPELINE_TEST_FILE.test(name))
    .map((name) => join(dir, name))
    .sort();
}

async function runCase(test: PipelineTest, testCase: TestCase, io: CliIo): Promise<Outcome> {
  const fail = (...failure: string[]): Outcome => ({ name: testCase.name, failure, summary: '' });
  let definition: PipelineDefinition;
  let standIns: ReadonlyMap<string, string>;
  try {
    const loaded = readPipelineFile(await readConfigFile(test.pipelineFile), test.pipelineFile, { env: { ...io.env, ...test.env }, unset: 'stand-in' });
    standIns = loaded.standIns;
    definition = testedStream(loaded.file, test);
  } catch (error) {
    return fail(...(error instanceof ConfigError ? error.message.split('\n') : [String(error)]));
  }
  const { url } = definition.source;
  if (typeof url !== 'string') return fail(`the source of ${test.pipelineFile} has no url: pageflow test replays pages of HTTP sources`);
  const target = new URL(url);

  const server = await startReplayServer({
    pages: testCase.pages,
    origins: [...testCase.origins, target.origin],
    ignoredValues: new Set([...(definition.secrets ?? []), ...standIns.keys()]),
  });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`the run did not end within ${TEST_TIMEOUT_MS / 1000}s`)), TEST_TIMEOUT_MS);
  try {
    const replayed = `${server.origin}${target.pathname}${target.search}`;
    const redactor = new Redactor();
    const logger = redactingLogger(io.logger, redactor);
    const pipeline = buildPipeline({ ...definition, source: { ...definition.source, url: replayed } }, { logger, pipelineDir: dirname(test.pipelineFile), redactor });
    const captures = pipeline.sinks.map((sink) => new CaptureSink(sink.metrics.name));
    let error: unknown;
    try {
      await runPipeline({ source: pipeline.source, operators: pipeline.operators, flow: pipeline.flow, sinks: captures, metrics: pipeline.metrics, signal: controller.signal, logger });
    } catch (caught) {
      error = caught;
    }
    // Messages name the pipeline's own origin, not the replay server's.
    const shown = (text: string) => redactor.redact(text.split(server.origin).join(target.origin));
    const unmatched = server.unmatched.map((request) => `no page for ${shown(request)} (the test's pages: ${testCase.pages.map((page) => `${page.method} ${page.request}`).join(', ')})`);
    const problems = [
      ...unmatched,
      // A run that failed on the 404 of a request without a page has said so already.
      ...(unmatched.length > 0 && testCase.expect.error === undefined ? [] : checkError(error, testCase.expect.error, shown)),
      ...checkRecords(testCase, captures),
      ...server.unrequested().map((request) => `page never requested: ${request}`),
    ];
    const { pages, recordsRead } = pipeline.metrics;
    const summary = `${pages} page${pages === 1 ? '' : 's'}, ${recordsRead} record${recordsRead === 1 ? '' : 's'} read`;
    return { name: testCase.name, summary, failure: problems.length > 0 ? problems : undefined };
  } finally {
    clearTimeout(timer);
    await server.close();
  }
}

/** The stream the test names (`stream:`), or the file's only one. */
function testedStream(file: PipelineFile, test: PipelineTest): PipelineDefinition {
  const names = file.streams.map((stream) => stream.name).join(', ');
  if (test.stream === undefined) {
    if (!file.multiStream) return file.streams[0];
    throw new ConfigError(test.file, [{ path: 'stream', message: `${test.pipelineFile} has several streams (${names}): name the one to test, e.g. stream: ${file.streams[0].name}` }]);
  }
  const found = file.multiStream ? file.streams.find((stream) => stream.name === test.stream) : undefined;
  if (!found) throw new ConfigError(test.file, [{ path: 'stream', message: `${test.pipelineFile} has no stream "${test.stream}"${file.multiStream ? ` (it has: ${names})` : ' (it has a single stream)'}` }]);
  return found;
}

function checkError(error: unknown, expected: string | undefined, shown: (text: string) => string): string[] {
  const message = error === undefined ? undefined : shown(error instanceof Error ? error.message : String(error));
  if (expected === undefined) return message === undefined ? [] : [`the run failed: ${message}`];
  if (message === undefined) return [`expected the run to fail with "${expected}", but it succeeded`];
  return message.includes(expected) ? [] : [`expected the run to fail with "${expected}", but it failed with: ${message}`];
}

function checkRecords(testCase: TestCase, captures: readonly CaptureSink[]): string[] {
  const names = captures.map((capture) => capture.metrics.name);
  const unknown = Object.keys(testCase.expect.sinks).filter((name) => !names.includes(name));
  const problems = unknown.map((name) => `expect.sinks names "${name}", which the pipeline does not have (its sinks: ${names.join(', ')})`);
  // Sinks that received the same wrong records share one diff.
  const diffs = new Map<string, { sinks: string[]; lines: string[] }>();
  for (const capture of captures) {
    const expected = testCase.expect.sinks[capture.metrics.name] ?? testCase.expect.records;
    const lines = expected && diffRecords(expected, capture.records);
    if (!lines) continue;
    const key = lines.join('\n');
    diffs.set(key, { sinks: [...(diffs.get(key)?.sinks ?? []), capture.metrics.name], lines });
  }
  for (const { sinks, lines } of diffs.values()) problems.push(`${sinks.join(', ')}: ${lines[0]}`, ...lines.slice(1));
  return problems;
}
