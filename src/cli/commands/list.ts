import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../errors/config-error';
import { describeSystemError } from '../../errors/describe-system-error';
import { buildPipeline } from '../../pipeline/build-pipeline';
import { readConfigFile, readPipelineFile } from '../../pipeline/load-pipeline';
import type { CliIo } from '../io';
import { reportError } from '../report-error';

/** Where `pageflow list` looks when no directory is named. */
export const DEFAULT_PIPELINE_DIR = 'pipelines';

const PIPELINE_FILE = /\.(ya?ml|json)$/i;
/** Pipeline tests (`pageflow test`) live beside the pipelines: not pipelines themselves. */
export const PIPELINE_TEST_FILE = /\.test\.ya?ml$/i;

type Row = { readonly file: string } & (
  | { readonly name: string; readonly source: string; readonly sinks: string; readonly needs: readonly string[] }
  | { readonly problem: string }
);

/**
 * Prints a table of the pipeline files in a directory (name, source, sinks) to stdout; a file
 * that does not load is listed with its first problem. Files are loaded with the current
 * environment, as `run` would load them, except that a variable they need and the environment lacks
 * (a token, usually) is listed under NEEDS rather than making the file invalid. Pipeline tests
 * (`*.test.yaml`) are left out. Exit 0, or 2 when the directory cannot be read.
 */
export async function listPipelines(dir: string, io: CliIo): Promise<number> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => PIPELINE_FILE.test(name) && !PIPELINE_TEST_FILE.test(name)).sort();
  } catch (error) {
    return reportError(new ConfigError(dir, [{ path: '', message: `cannot read the directory: ${describeSystemError(error)}` }]), io);
  }
  if (names.length === 0) {
    io.logger.log('warn', `no pipeline files (*.yaml, *.yml, *.json) in ${dir}`);
    return 0;
  }
  const rows = (await Promise.all(names.map((name) => describeFile(join(dir, name), io.env)))).flat();
  io.stdout.write(formatTable(rows));
  return 0;
}

/** A row for the file, or one per stream (named `pipeline/stream`) for a file with several. */
async function describeFile(file: string, env: CliIo['env']): Promise<Row[]> {
  try {
    const { file: pipeline, standIns, unset } = readPipelineFile(await readConfigFile(file), file, { env, unset: 'stand-in' });
    return pipeline.streams.map((definition) => {
      // Building touches no network or file; it gives the sinks' names and the values to redact.
      const { redactor, sinks } = buildPipeline(definition);
      const { type, url } = definition.source;
      // Stand-ins for unset variables are shown as the placeholders they stand for.
      const show = (text: string) => [...standIns].reduce((shown, [standIn, placeholder]) => shown.split(standIn).join(placeholder), redactor.redact(text));
      return {
        file,
        name: pipeline.multiStream ? `${pipeline.name}/${definition.name}` : definition.name,
        source: show(typeof url === 'string' ? `${type} ${url}` : type),
        sinks: show(sinks.map((sink) => sink.metrics.name).join(', ')),
        needs: unset,
      };
    });
  } catch (error) {
    return [{ file, problem: describeProblem(error) }];
  }
}

/** The first problem of a file, on one line. */
function describeProblem(error: unknown): string {
  if (!(error instanceof ConfigError)) return `invalid: ${error instanceof Error ? error.message : String(error)}`;
  const [first] = error.issues;
  const more = error.issues.length > 1 ? ` (+${error.issues.length - 1} more: pageflow validate ${error.file})` : '';
  return `invalid: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`;
}

function formatTable(rows: readonly Row[]): string {
  const table = [
    ['FILE', 'NAME', 'SOURCE', 'SINKS', 'NEEDS'],
    ...rows.map((row) => ('problem' in row ? [row.file, row.problem] : [row.file, row.name, row.source, row.sinks, row.needs.join(', ')])),
  ];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...table.filter((cells) => cells.length > column + 1).map((cells) => cells[column].length)));
  return table.map((cells) => `${cells.map((cell, column) => (column < cells.length - 1 ? cell.padEnd(widths[column]) : cell)).join('  ').trimEnd()}\n`).join('');
}
