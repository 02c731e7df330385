import { setTimeout as sleep } from 'node:timers/promises';
import type { Argv } from 'yargs';
import type { CliIo } from '../io';
import { reportError } from '../report-error';
import { REDIS_URL_VARIABLE } from '../../fleet/fleet-defaults';
import { durationOption, redisOptions } from './worker';

const fleet = () => Promise.all([import('bullmq'), import('../../fleet/fleet-redis'), import('../../fleet/list-jobs')]);

export function jobsOptions<T>(command: Argv<T>) {
  return redisOptions(command)
    .option('watch', { type: 'boolean', describe: 'Refresh the listing until Ctrl-C' })
    .option('every', durationOption('every', 2000, 'How often --watch refreshes'))
    .option('failed', { type: 'boolean', describe: 'Only failed jobs, with their errors' })
    .option('limit', { type: 'number', requiresArg: true, default: 20, describe: 'The newest jobs shown per state' })
    .check(({ limit }) => {
      if (!(Number.isInteger(limit) && limit >= 1)) throw new Error('--limit expects a whole number above 0');
      return true;
    });
}

export interface JobsArguments {
  readonly redis?: string;
  readonly queue: string;
  readonly watch?: boolean;
  readonly everyMs: number;
  readonly failed?: boolean;
  readonly limit: number;
}

/**
 * Prints the queue's jobs to stdout: counts per state, then the newest jobs of each state with their
 * figures, outputs or error. Never a job's variables. `--watch` redraws until SIGINT/SIGTERM.
 */
export async function listQueueJobs(args: JobsArguments, io: CliIo): Promise<number> {
  const [{ Queue }, { checkRedisUrl, connectBriefly }, { formatJobs, listJobs }] = await fleet();
  try {
    const redis = await connectBriefly(checkRedisUrl(args.redis ?? io.env[REDIS_URL_VARIABLE]));
    const queue = new Queue(args.queue, { connection: redis });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    // On a terminal each refresh replaces the last; in a pipe they follow each other.
    const clear = process.stdout.isTTY && io.stdout === process.stdout ? '\x1b[H\x1b[2J' : '';
    try {
      do {
        const listing = formatJobs(await listJobs(queue, { failedOnly: args.failed, limit: args.limit }));
        io.stdout.write(args.watch ? `${clear}${new Date().toISOString()}  queue ${args.queue}\n${listing}\n` : listing);
        if (args.watch) await sleep(args.everyMs, undefined, { signal: stop.signal }).catch(() => {});
      } while (args.watch && !stop.signal.aborted);
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      await queue.close();
      redis.disconnect();
    }
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}
