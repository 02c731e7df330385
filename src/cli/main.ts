#!/usr/bin/env node
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { LOG_FORMATS, type LogFormat } from '../logger';
import { runDemo } from './commands/demo';
import { enqueueFile, enqueueOptions } from './commands/enqueue';
import { jobsOptions, listQueueJobs } from './commands/jobs';
import { DEFAULT_PIPELINE_DIR, listPipelines } from './commands/list';
import { DRY_RUN_RECORDS, type RunArguments, runFile } from './commands/run';
import { printSchema, SCHEMA_FORMATS } from './commands/schema';
import { validateFiles } from './commands/validate';
import { runWorker, workerOptions } from './commands/worker';
import { type CliIo, processIo } from './io';

// Usage errors (unknown command or option, missing argument) are config errors: exit 2.
const USAGE_EXIT_CODE = 2;

const EXIT_CODES = `Exit codes:
  0    done
  1    the run failed (source or sink error); outputs rolled back
  2    invalid pipeline file, --set or command line
  130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM; outputs rolled back`;

interface GlobalOptions {
  readonly verbose?: boolean;
  readonly quiet?: boolean;
  readonly 'log-format': LogFormat;
}

/** The process's io, logging as the global options ask. */
function ioFor({ verbose, quiet, 'log-format': format }: GlobalOptions): CliIo {
  return processIo({ level: verbose ? 'debug' : quiet ? 'warn' : 'info', format });
}

interface RunOptionValues {
  readonly 'dry-run'?: boolean;
  readonly limit?: number;
  readonly set?: string | string[];
  readonly 'summary-json'?: string;
}

/** The options `run` and `demo` share. */
function runOptions<T>(command: Argv<T>) {
  return command
    .option('dry-run', {
      type: 'boolean',
      describe: `Fetch and transform, write nothing: print the first records (--limit, default ${DRY_RUN_RECORDS}) to stdout as NDJSON`,
    })
    .option('limit', { type: 'number', requiresArg: true, describe: 'Stop after N records; the sinks still write complete files' })
    .option('set', {
      type: 'string',
      requiresArg: true,
      describe: 'Override a setting of the file before it is validated: path=value, value as YAML (repeatable)',
    })
    .option('summary-json', { type: 'string', requiresArg: true, normalize: true, describe: "Write the run's figures to FILE as JSON" })
    .group(['dry-run', 'limit', 'set', 'summary-json'], 'Run options:')
    .check(({ limit }) => {
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new Error('--limit expects a whole number above 0');
      return true;
    });
}

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('pageflow')
    .usage('$0 <command> [options]\n\nStream every record of a paginated REST API into CSV, S3 or NDJSON.')
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'Log debug messages too' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Log only warnings and errors (the summary line stays); no progress line' })
    .conflicts('verbose', 'quiet')
    .option('log-format', { choices: LOG_FORMATS, default: 'text' as LogFormat, describe: 'Log lines for people (text) or one JSON object per line (json)' })
    .command(
      'run <file>',
      'Run a pipeline file',
      (command) =>
        runOptions(command.positional('file', { type: 'string', demandOption: true, describe: 'Pipeline file (YAML or JSON)' }))
          .example('$0 run pipelines/customers-to-csv.yaml', 'Export every customer')
          .example('$0 run customers.yaml --dry-run --limit 3', 'Print the first 3 records; write nothing')
          .example('$0 run customers.yaml --limit 100', 'Complete files with the first 100 records')
          .example('$0 run customers.yaml --set source.params.per_page=50', 'Override a setting of the file')
          .example('$0 run customers.yaml --set sinks.0.path=out/test.csv', 'The first sink writes elsewhere')
          .example('$0 run nightly.yaml -q --log-format json --summary-json s.json', 'From cron: JSON logs, figures to monitor'),
      async (argv) => {
        process.exitCode = await runFile({ file: argv.file, ...runArguments(argv) }, ioFor(argv));
      },
    )
    .command(
      'validate <files..>',
      'Check pipeline files without running them; every problem with its line and column',
      (command) =>
        command
          .positional('files', { type: 'string', array: true, demandOption: true, describe: 'Pipeline files' })
          .example('$0 validate pipelines/*.yaml', 'Check every pipeline (exit 2 if any is invalid)'),
      async (argv) => {
        process.exitCode = await validateFiles(argv.files, ioFor(argv));
      },
    )
    .command(
      'list [dir]',
      'List the pipelines in a directory: name, source and sinks',
      (command) =>
        command
          .positional('dir', { type: 'string', default: DEFAULT_PIPELINE_DIR, describe: 'Directory of pipeline files' })
          .example('$0 list', `The pipelines in ${DEFAULT_PIPELINE_DIR}/`)
          .example('$0 list ops/pipelines', 'The pipelines in another directory'),
      async (argv) => {
        process.exitCode = await listPipelines(argv.dir, ioFor(argv));
      },
    )
    .command(
      'schema',
      'Print the JSON Schema of pipeline files (for editors), or its reference in Markdown',
      (command) =>
        command
          .option('format', { choices: SCHEMA_FORMATS, default: 'json' as const, describe: 'JSON Schema, or Markdown tables for the README' })
          .example('$0 schema > pipeline.schema.json', 'Refresh the schema pipelines name in # yaml-language-server: $schema=…')
          .example('$0 schema --format markdown', 'The pipeline file reference, generated from the schema'),
      async (argv) => {
        process.exitCode = await printSchema({ format: argv.format }, ioFor(argv));
      },
    )
    .command(
      'demo',
      'Run pipelines/demo.yaml against a built-in sample API on loopback',
      (command) => runOptions(command).example('$0 demo', 'Writes out/customers.csv from the sample API').example('$0 demo --dry-run', 'Prints the first sample records'),
      async (argv) => {
        process.exitCode = await runDemo(runArguments(argv), ioFor(argv));
      },
    )
    .command(
      'worker',
      'Run pipeline jobs from a Redis queue (BullMQ), rate limits shared with every other worker',
      (command) =>
        workerOptions(command)
          .example('$0 worker --redis redis://127.0.0.1:6379 --concurrency 4', 'Run up to 4 jobs at once')
          .example('PAGEFLOW_REDIS_URL=rediss://:pw@redis:6380 $0 worker', 'Password and TLS, out of the command line'),
      async (argv) => {
        process.exitCode = await runWorker(
          { redis: argv.redis, queue: argv.queue, concurrency: argv.concurrency, graceMs: argv.grace, lockDurationMs: argv['lock-duration'], stalledIntervalMs: argv['stalled-interval'] },
          ioFor(argv),
        );
      },
    )
    .command(
      'enqueue <file>',
      'Queue runs of a pipeline file for the workers: one job, or one per line of a vars file',
      (command) =>
        enqueueOptions(command.positional('file', { type: 'string', demandOption: true, describe: 'Pipeline file (YAML or JSON)' }))
          .example('$0 enqueue pipelines/customers-to-s3.yaml --vars-file tenants.ndjson', 'One job per tenant')
          .example('$0 enqueue customers.yaml --var TENANT=acme --job-id acme-2026-01-02', 'One job with its own id'),
      async (argv) => {
        process.exitCode = await enqueueFile(
          {
            file: argv.file,
            redis: argv.redis,
            queue: argv.queue,
            set: argv.set === undefined ? [] : ([] as string[]).concat(argv.set),
            vars: argv.var === undefined ? [] : ([] as string[]).concat(argv.var),
            varsFile: argv['vars-file'],
            jobId: argv['job-id'],
            attempts: argv.attempts,
            backoffMs: argv.backoff,
            keepCompleted: argv['keep-completed'],
            keepFailed: argv['keep-failed'],
            keepForMs: argv['keep-for'],
          },
          ioFor(argv),
        );
      },
    )
    .command(
      'jobs',
      'List the queue: waiting, active, completed and failed jobs with their figures or errors',
      (command) =>
        jobsOptions(command).example('$0 jobs --redis redis://127.0.0.1:6379 --watch', 'Follow the queue').example('$0 jobs --failed', 'Failed jobs and why'),
      async (argv) => {
        process.exitCode = await listQueueJobs({ redis: argv.redis, queue: argv.queue, watch: argv.watch, everyMs: argv.every, failed: argv.failed, limit: argv.limit }, ioFor(argv));
      },
    )
    .completion('completion', 'Print a bash/zsh completion script (add its output to ~/.bashrc or ~/.zshrc)')
    .example('$0 demo', 'Try it: the demo pipeline against a built-in sample API')
    .example('$0 list', `What is in ${DEFAULT_PIPELINE_DIR}/`)
    .example('$0 run pipelines/customers-to-csv.yaml --dry-run', 'Preview its first records')
    .example('$0 run pipelines/customers-to-csv.yaml', 'Run it')
    .example('$0 run --help', 'The options of a command')
    .example('$0 completion >> ~/.bashrc', 'Tab completion for commands and options')
    .epilogue(EXIT_CODES)
    .demandCommand(1, 'Name a command: run, validate, list, schema, demo, worker, enqueue or jobs')
    .strict()
    .fail((message, error) => {
      if (error && !message) throw error;
      process.stderr.write(`error: ${message ?? error?.message}\n(pageflow --help shows the commands and options)\n`);
      process.exit(USAGE_EXIT_CODE);
    })
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(120, process.stdout.columns ?? 120))
    .parseAsync();
}

/** What `run` and `demo` take from their options. */
function runArguments(argv: RunOptionValues & GlobalOptions): Omit<RunArguments, 'file'> {
  return {
    dryRun: argv['dry-run'],
    limit: argv.limit,
    // `--set` given once is a string, given several times a list.
    set: argv.set === undefined ? [] : ([] as string[]).concat(argv.set),
    summaryJson: argv['summary-json'],
    progress: !argv.quiet,
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`error: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
