import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { LOG_FORMATS, type LogFormat } from '../logger';
import { COMMAND_NAMES } from './command-names';
import { runDemo } from './commands/demo';
import { evaluateExpression } from './commands/eval';
import { enqueueFile, enqueueOptions } from './commands/enqueue';
import { jobsOptions, listQueueJobs } from './commands/jobs';
import { DEFAULT_PIPELINE_DIR, listPipelines } from './commands/list';
import { DRY_RUN_RECORDS, type RunArguments, runFile } from './commands/run';
import { printSchema, SCHEMA_FORMATS } from './commands/schema';
import { STATE_FORMATS, stateCommand, terminalConfirm } from './commands/state';
import { testPipelines } from './commands/test';
import { validateFiles } from './commands/validate';
import { loadEnvFile } from './env-file';
import { runWorker, workerOptions } from './commands/worker';
import { type CliIo, processIo } from './io';
import { reportError } from './report-error';

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
  readonly 'env-file'?: string;
}

/**
 * Runs a command with the process's io, logging as the global options ask, after `--env-file` has
 * filled in the environment; sets the exit code. An interrupted command's process exits soon after
 * even if something it started (a socket of an upload being aborted) would keep it alive.
 */
async function withIo(options: GlobalOptions, command: (io: CliIo) => Promise<number>): Promise<void> {
  const { verbose, quiet, 'log-format': format, 'env-file': envFile } = options;
  const io = processIo({ level: verbose ? 'debug' : quiet ? 'warn' : 'info', format });
  try {
    if (envFile) await loadEnvFile(envFile, process.env);
  } catch (error) {
    process.exitCode = reportError(error, io);
    return;
  }
  process.exitCode = await command(io);
  if (process.exitCode === 130 || process.exitCode === 143) setTimeout(() => process.exit(), 1000).unref();
}

interface RunOptionValues {
  readonly 'dry-run'?: boolean;
  readonly limit?: number;
  readonly set?: string | string[];
  readonly 'summary-json'?: string;
  readonly fresh?: boolean;
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
    .option('fresh', { type: 'boolean', describe: "Discard an unfinished run's checkpoint (and its temporary outputs) instead of resuming it" })
    .group(['dry-run', 'limit', 'set', 'summary-json', 'fresh'], 'Run options:')
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
    .option('env-file', {
      type: 'string',
      requiresArg: true,
      normalize: true,
      describe: 'Read environment variables from FILE (dotenv syntax) for ${VAR}s; variables already set win',
    })
    .command(
      'run <file>',
      'Run a pipeline file',
      (command) =>
        runOptions(command.positional('file', { type: 'string', demandOption: true, describe: 'Pipeline file (YAML or JSON)' }))
          .option('stream', { type: 'string', requiresArg: true, describe: 'Run only this stream of a file with several (streams:)' })
          .example('$0 run pipelines/customers-to-csv.yaml', 'Export every customer')
          .example('$0 run pipelines/customers-contacts.yaml --stream contacts', 'Run one stream of several')
          .example('$0 run customers.yaml --dry-run --limit 3', 'Print the first 3 records; write nothing')
          .example('$0 run customers.yaml --limit 100', 'Complete files with the first 100 records')
          .example('$0 run customers.yaml --set source.params.per_page=50', 'Override a setting of the file')
          .example('$0 run customers.yaml --set sinks.0.path=out/test.csv', 'The first sink writes elsewhere')
          .example('$0 run nightly.yaml -q --log-format json --summary-json s.json', 'From cron: JSON logs, figures to monitor'),
      (argv) => withIo(argv, (io) => runFile({ file: argv.file, stream: argv.stream, ...runArguments(argv) }, io)),
    )
    .command(
      'init <url>',
      'Write a pipeline for an API from its first pages: records, pagination, page size, fields and rate limit detected',
      (command) =>
        command
          .positional('url', { type: 'string', demandOption: true, describe: 'URL of the first page of the records' })
          .option('auth', { choices: ['bearer', 'basic', 'api-key'] as const, describe: 'How the API authenticates' })
          .option('token-env', { type: 'string', requiresArg: true, describe: 'Variable holding the token (bearer), password (basic) or key (api-key); the file says ${VAR}' })
          .option('user-env', { type: 'string', requiresArg: true, describe: 'basic: variable holding the user name' })
          .option('key-name', { type: 'string', requiresArg: true, describe: 'api-key: the header or query parameter (default X-Api-Key)' })
          .option('key-in', { choices: ['header', 'query'] as const, describe: 'api-key: where the key goes (default header)' })
          .option('output', { alias: 'o', type: 'string', requiresArg: true, normalize: true, describe: 'Pipeline file to write (default pipelines/<resource>.yaml)' })
          .option('force', { type: 'boolean', describe: 'Replace the file if it exists' })
          .example('$0 init https://api.example.nl/v1/customers --auth bearer --token-env MKP_TOKEN', 'Writes pipelines/customers.yaml')
          .example('$0 init http://127.0.0.1:8080/v1/customers -o pipelines/demo-customers.yaml', 'The sample API of pageflow demo --serve'),
      (argv) =>
        withIo(argv, async (io) =>
          (await import('./commands/init')).initPipeline(
            { url: argv.url, auth: argv.auth, tokenEnv: argv['token-env'], userEnv: argv['user-env'], keyName: argv['key-name'], keyIn: argv['key-in'], output: argv.output, force: argv.force },
            io,
          ),
        ),
    )
    .command(
      'check <file>',
      'Check a pipeline without exporting: the API answers with its credentials, the first page fits records and pagination, every sink can write',
      (command) =>
        command
          .positional('file', { type: 'string', demandOption: true, describe: 'Pipeline file (YAML or JSON)' })
          .example('$0 check pipelines/customers.yaml', 'A ✓/✗ line per check (exit 1 if one fails)'),
      (argv) => withIo(argv, async (io) => (await import('./commands/check')).checkPipeline(argv.file, io)),
    )
    .command(
      'validate <files..>',
      'Check pipeline files without running them; every problem with its line and column',
      (command) =>
        command
          .positional('files', { type: 'string', array: true, demandOption: true, describe: 'Pipeline files' })
          .example('$0 validate pipelines/*.yaml', 'Check every pipeline (exit 2 if any is invalid)'),
      (argv) => withIo(argv, (io) => validateFiles(argv.files, io)),
    )
    .command(
      'list [dir]',
      'List the pipelines in a directory: name, source and sinks',
      (command) =>
        command
          .positional('dir', { type: 'string', default: DEFAULT_PIPELINE_DIR, describe: 'Directory of pipeline files' })
          .example('$0 list', `The pipelines in ${DEFAULT_PIPELINE_DIR}/`)
          .example('$0 list ops/pipelines', 'The pipelines in another directory'),
      (argv) => withIo(argv, (io) => listPipelines(argv.dir, io)),
    )
    .command(
      'schema',
      'Print the JSON Schema of pipeline files (for editors), or its reference in Markdown',
      (command) =>
        command
          .option('format', { choices: SCHEMA_FORMATS, default: 'json' as const, describe: 'JSON Schema, or Markdown tables for the README' })
          .example('$0 schema > pipeline.schema.json', 'Refresh the schema pipelines name in # yaml-language-server: $schema=…')
          .example('$0 schema --format markdown', 'The pipeline file reference, generated from the schema'),
      (argv) => withIo(argv, (io) => printSchema({ format: argv.format }, io)),
    )
    .command(
      'state <file>',
      "Show a pipeline's state (cursor, last successful run, unfinished run, lock), or reset it",
      (command) =>
        command
          .positional('file', { type: 'string', demandOption: true, describe: 'Pipeline file with a state: section' })
          .option('reset', { type: 'boolean', describe: 'Clear the cursor and the runs recorded: the next run exports everything (asks first)' })
          .option('yes', { alias: 'y', type: 'boolean', describe: 'With --reset: do not ask (needed without a terminal)' })
          .option('format', { choices: STATE_FORMATS, default: 'text' as const, describe: 'For people (text) or scripts (json)' })
          .example('$0 state pipelines/customers-to-s3.yaml', 'Where the next run starts')
          .example('$0 state pipelines/customers-to-s3.yaml --reset --yes', 'Export everything again next time'),
      (argv) => withIo(argv, (io) => stateCommand({ file: argv.file, reset: argv.reset, yes: argv.yes, format: argv.format }, io, terminalConfirm())),
    )
    .command(
      'demo [file]',
      'Run pipelines/demo.yaml (or FILE) against a built-in sample API on loopback',
      (command) =>
        runOptions(command.positional('file', { type: 'string', describe: 'Pipeline file to run instead (MKP_BASE_URL points at the sample API)' }))
          .option('serve', { type: 'boolean', describe: 'Only serve the sample API, until Ctrl-C: to try init, check, run and record against it' })
          .option('port', { type: 'number', default: 8080, describe: 'With --serve: the port on 127.0.0.1' })
          .option('customers', { type: 'number', default: 250, describe: 'With --serve: how many customers the API holds' })
          .option('token-env', { type: 'string', requiresArg: true, describe: 'With --serve: require the bearer token held by this variable' })
          .group(['serve', 'port', 'customers', 'token-env'], 'Serve options:')
          .example('$0 demo', 'Writes out/customers.csv from the sample API')
          .example('$0 demo --dry-run', 'Prints the first sample records')
          .example('$0 demo pipelines/customers-contacts.yaml', 'Customers and their contacts, offline')
          .example('$0 demo --serve --customers 40', 'Serves http://127.0.0.1:8080/v1/customers until Ctrl-C'),
      (argv) =>
        withIo(argv, async (io) =>
          argv.serve ? (await import('./commands/demo')).serveDemo({ port: argv.port, customers: argv.customers, tokenEnv: argv['token-env'] }, io) : runDemo({ file: argv.file, ...runArguments(argv) }, io),
        ),
    )
    .command(
      'test [files..]',
      'Run pipeline tests (*.test.yaml): each pipeline against replayed pages, its sinks compared with what the test expects; writes nothing',
      (command) =>
        command
          .positional('files', { type: 'string', array: true, default: [] as string[], describe: `Test files (default: every *.test.yaml under ${DEFAULT_PIPELINE_DIR}/)` })
          .example('$0 test', `Every pipeline test under ${DEFAULT_PIPELINE_DIR}/`)
          .example('$0 test pipelines/demo.test.yaml', 'One test file (exit 1 if a test fails)'),
      (argv) => withIo(argv, (io) => testPipelines(argv.files, io)),
    )
    .command(
      'record <file>',
      'Save the first pages of a pipeline\'s API, secrets scrubbed, as a fixture that pageflow test replays',
      (command) =>
        command
          .positional('file', { type: 'string', demandOption: true, describe: 'Pipeline file (YAML or JSON)' })
          .option('pages', { type: 'number', default: 3, describe: 'Pages to record, from the first' })
          .option('output', { alias: 'o', type: 'string', requiresArg: true, demandOption: true, normalize: true, describe: 'Fixture directory to write (pages.json and a file per page)' })
          .check(({ pages }) => {
            if (!(Number.isInteger(pages) && pages > 0)) throw new Error('--pages expects a whole number above 0');
            return true;
          })
          .example('$0 record pipelines/customers.yaml --pages 3 -o test/fixtures/customers/', 'Then name the directory in a *.test.yaml: pages: ../test/fixtures/customers/'),
      (argv) => withIo(argv, async (io) => (await import('./commands/record')).recordFixture({ file: argv.file, pages: argv.pages, output: argv.output }, io)),
    )
    .command(
      'eval <expression>',
      'Evaluate a field path or JSONata expression on a record, exactly as map and filter do; prints the result as JSON',
      (command) =>
        command
          .positional('expression', { type: 'string', demandOption: true, describe: 'A field path (address.city) or a JSONata expression' })
          .option('record', { type: 'string', requiresArg: true, normalize: true, describe: 'JSON file with the record (or a JSON list, or NDJSON); default: stdin' })
          .example(`$0 eval '$join(customerGroups, ";")' --record customer.json`, 'Try a map field on a record')
          .example(`$0 run p.yaml --dry-run | $0 eval 'integration = "acumulus"'`, 'Try a filter on the first records of a pipeline'),
      (argv) => withIo(argv, (io) => evaluateExpression({ expression: argv.expression, record: argv.record }, io)),
    )
    .command(
      'worker',
      'Run pipeline jobs from a Redis queue (BullMQ), rate limits shared with every other worker',
      (command) =>
        workerOptions(command)
          .example('$0 worker --redis redis://127.0.0.1:6379 --concurrency 4', 'Run up to 4 jobs at once')
          .example('PAGEFLOW_REDIS_URL=rediss://:pw@redis:6380 $0 worker', 'Password and TLS, out of the command line'),
      (argv) =>
        withIo(argv, (io) =>
          runWorker({ redis: argv.redis, queue: argv.queue, concurrency: argv.concurrency, graceMs: argv.grace, lockDurationMs: argv['lock-duration'], stalledIntervalMs: argv['stalled-interval'] }, io),
        ),
    )
    .command(
      'enqueue <file>',
      'Queue runs of a pipeline file for the workers: one job, or one per line of a vars file',
      (command) =>
        enqueueOptions(command.positional('file', { type: 'string', demandOption: true, describe: 'Pipeline file (YAML or JSON)' }))
          .example('$0 enqueue pipelines/customers-to-s3.yaml --vars-file tenants.ndjson', 'One job per tenant')
          .example('$0 enqueue customers.yaml --var TENANT=acme --job-id acme-2026-01-02', 'One job with its own id'),
      (argv) =>
        withIo(argv, (io) =>
          enqueueFile({
            file: argv.file,
            redis: argv.redis,
            queue: argv.queue,
            set: argv.set === undefined ? [] : ([] as string[]).concat(argv.set),
            vars: argv.var === undefined ? [] : ([] as string[]).concat(argv.var),
            varsFile: argv['vars-file'],
            jobId: argv['job-id'],
            splitPages: argv['split-pages'],
            attempts: argv.attempts,
            backoffMs: argv.backoff,
            keepCompleted: argv['keep-completed'],
            keepFailed: argv['keep-failed'],
            keepForMs: argv['keep-for'],
          }, io),
        ),
    )
    .command(
      'jobs',
      'List the queue: waiting, active, completed and failed jobs with their figures or errors',
      (command) =>
        jobsOptions(command).example('$0 jobs --redis redis://127.0.0.1:6379 --watch', 'Follow the queue').example('$0 jobs --failed', 'Failed jobs and why'),
      (argv) =>
        withIo(argv, (io) =>
          listQueueJobs({ redis: argv.redis, queue: argv.queue, watch: argv.watch, everyMs: argv.every, failed: argv.failed, limit: argv.limit }, io),
        ),
    )
    .completion('completion', 'Print a bash/zsh completion script (add its output to ~/.bashrc or ~/.zshrc)')
    .example('$0 demo', 'Try it: the demo pipeline against a built-in sample API')
    .example('$0 list', `What is in ${DEFAULT_PIPELINE_DIR}/`)
    .example('$0 run pipelines/customers-to-csv.yaml --dry-run', 'Preview its first records')
    .example('$0 run pipelines/customers-to-csv.yaml', 'Run it')
    .example('$0 run --help', 'The options of a command')
    .example('$0 completion >> ~/.bashrc', 'Tab completion for commands and options')
    .epilogue(EXIT_CODES)
    .demandCommand(1, `Name a command: ${COMMAND_NAMES.slice(0, -1).join(', ')} or ${COMMAND_NAMES.at(-1)}`)
    .recommendCommands()
    .strict()
    .fail((message, error) => {
      if (error && !message) throw error;
      process.stderr.write(`error: ${usageMessage(message ?? error?.message ?? '')}\n(pageflow --help shows the commands and options)\n`);
      process.exit(USAGE_EXIT_CODE);
    })
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(120, process.stdout.columns ?? 120))
    .parseAsync();
}

/** yargs's "Did you mean run?" says more with the command it was given: `unknown command "runn": did you mean run?`. */
function usageMessage(message: string): string {
  const given = hideBin(process.argv).find((argument) => !argument.startsWith('-'));
  return message.startsWith('Did you mean') && given ? `unknown command "${given}": ${message.replace(/^Did/, 'did')}` : message;
}

/** What `run` and `demo` take from their options. */
function runArguments(argv: RunOptionValues & GlobalOptions): Omit<RunArguments, 'file'> {
  return {
    dryRun: argv['dry-run'],
    limit: argv.limit,
    // `--set` given once is a string, given several times a list.
    set: argv.set === undefined ? [] : ([] as string[]).concat(argv.set),
    summaryJson: argv['summary-json'],
    fresh: argv.fresh,
    progress: !argv.quiet,
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`error: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
