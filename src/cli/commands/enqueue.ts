import type { Argv } from 'yargs';
import { REDIS_URL_VARIABLE } from '../../fleet/fleet-defaults';
import type { CliIo } from '../io';
import { reportError } from '../report-error';
import { DEFAULT_JOB_POLICY } from '../../fleet/fleet-defaults';
import { durationOption, redisOptions } from './worker';

const fleet = () => Promise.all([import('bullmq'), import('../../fleet/fleet-redis'), import('../../fleet/enqueue-jobs')]);

export function enqueueOptions<T>(command: Argv<T>) {
  return redisOptions(command)
    .option('set', { type: 'string', requiresArg: true, describe: 'Override a setting of the file before it is validated: path=value (repeatable)' })
    .option('var', { type: 'string', requiresArg: true, describe: 'A variable for the ${VAR}s of the file: NAME=value (repeatable)' })
    .option('vars-file', { type: 'string', requiresArg: true, normalize: true, describe: 'One JSON object of variables per line: one job per line (--var values are the defaults)' })
    .option('job-id', { type: 'string', requiresArg: true, describe: 'The job id (with --vars-file: the prefix of each line\'s id). Default: the file name and a hash of the job' })
    .option('split-pages', {
      type: 'number',
      requiresArg: true,
      describe: 'Split each job into range jobs of N pages, run at once by the workers; their parts make the S3 objects one run makes (page-number pagination with lastPage or total; S3 CSV/NDJSON sinks)',
    })
    .option('attempts', { type: 'number', requiresArg: true, default: DEFAULT_JOB_POLICY.attempts, describe: 'Runs of a job in all before it fails, the first included' })
    .option('backoff', durationOption('backoff', DEFAULT_JOB_POLICY.backoffMs, 'Wait before the first retry; doubles with each one'))
    .option('keep-completed', { type: 'number', requiresArg: true, default: DEFAULT_JOB_POLICY.keepCompleted, describe: 'Completed jobs Redis keeps (the newest)' })
    .option('keep-failed', { type: 'number', requiresArg: true, default: DEFAULT_JOB_POLICY.keepFailed, describe: 'Failed jobs Redis keeps (the newest), with their errors' })
    .option('keep-for', durationOption('keep-for', DEFAULT_JOB_POLICY.keepAgeMs, 'Finished jobs older than this are removed'))
    .group(['set', 'var', 'vars-file', 'job-id', 'split-pages'], 'Jobs:')
    .group(['attempts', 'backoff', 'keep-completed', 'keep-failed', 'keep-for'], 'Retries and retention:')
    .check((argv) => {
      for (const name of ['attempts', 'keep-completed', 'keep-failed'] as const) {
        const value = argv[name];
        if (!(Number.isInteger(value) && value >= (name === 'attempts' ? 1 : 0))) throw new Error(`--${name} expects a whole number${name === 'attempts' ? ' above 0' : ''}`);
      }
      const split = argv['split-pages'];
      if (split !== undefined && !(Number.isInteger(split) && split >= 1)) throw new Error('--split-pages expects a whole number of pages above 0');
      return true;
    });
}

export interface EnqueueArguments {
  readonly file: string;
  readonly redis?: string;
  readonly queue: string;
  readonly set: readonly string[];
  readonly vars: readonly string[];
  readonly varsFile?: string;
  readonly jobId?: string;
  readonly splitPages?: number;
  readonly attempts: number;
  readonly backoffMs: number;
  readonly keepCompleted: number;
  readonly keepFailed: number;
  readonly keepForMs: number;
}

/**
 * Checks the pipeline with each job's variables as a worker will load it, then adds the jobs the
 * queue does not hold yet. Prints one line per job to stdout (`added <id>` or `exists <id> (<state>)`).
 * Any invalid job: exit 2 and nothing is enqueued.
 */
export async function enqueueFile(args: EnqueueArguments, io: CliIo): Promise<number> {
  const [{ Queue }, { checkRedisUrl, connectBriefly }, { enqueueJobs, parseVars, prepareJobs, readVarsFile }] = await fleet();
  try {
    const redisUrl = checkRedisUrl(args.redis ?? io.env[REDIS_URL_VARIABLE]);
    const given = parseVars(args.vars);
    const lines = args.varsFile ? await readVarsFile(args.varsFile) : [{ variables: {} }];
    const jobs = await prepareJobs({
      file: args.file,
      set: args.set,
      jobs: lines.map((line) => ({ ...line, variables: { ...given, ...line.variables } })),
      jobId: args.jobId,
      splitPages: args.splitPages,
      env: io.env,
    });
    const redis = await connectBriefly(redisUrl);
    const queue = new Queue(args.queue, { connection: redis });
    try {
      const { added, existing } = await enqueueJobs(queue, jobs, {
        attempts: args.attempts,
        backoffMs: args.backoffMs,
        keepCompleted: args.keepCompleted,
        keepFailed: args.keepFailed,
        keepAgeMs: args.keepForMs,
      });
      io.stdout.write([...added.map((id) => `added ${id}\n`), ...existing.map(({ id, state }) => `exists ${id} (${state})\n`)].join(''));
      io.logger.log('info', `queue ${args.queue}: ${added.length} job${added.length === 1 ? '' : 's'} added, ${existing.length} already there`);
    } finally {
      await queue.close();
      redis.disconnect();
    }
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}
