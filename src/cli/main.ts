#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createStderrLogger } from '../logger';
import { runDemo } from './commands/demo';
import { runFile } from './commands/run';
import { validateFiles } from './commands/validate';
import { processIo } from './io';

// Usage errors (unknown command, missing argument) are config errors: exit 2.
const USAGE_EXIT_CODE = 2;

async function main(): Promise<void> {
  const logger = createStderrLogger();
  await yargs(hideBin(process.argv))
    .scriptName('pageflow')
    .usage('$0 <command> [options]\n\nStream every record of a paginated REST API into CSV, S3 or NDJSON.')
    .command(
      'run <file>',
      'Run a pipeline file',
      (command) => command.positional('file', { type: 'string', demandOption: true, describe: 'Pipeline file (YAML or JSON)' }),
      async (argv) => {
        process.exitCode = await runFile({ file: argv.file, logger }, processIo);
      },
    )
    .command(
      'validate <files..>',
      'Check pipeline files without running them',
      (command) => command.positional('files', { type: 'string', array: true, demandOption: true, describe: 'Pipeline files' }),
      async (argv) => {
        process.exitCode = await validateFiles(argv.files, processIo);
      },
    )
    .command(
      'demo',
      'Run pipelines/demo.yaml against a built-in sample API on loopback',
      () => {},
      async () => {
        process.exitCode = await runDemo({ logger }, processIo);
      },
    )
    .demandCommand(1, 'Name a command: run, validate or demo')
    .strict()
    .fail((message, error, instance) => {
      if (error) throw error;
      process.stderr.write(`${instance.help()}\n\nerror: ${message}\n`);
      process.exit(USAGE_EXIT_CODE);
    })
    .help()
    .parseAsync();
}

main().catch((error: unknown) => {
  process.stderr.write(`error: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
