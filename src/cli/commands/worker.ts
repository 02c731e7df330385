import type { Argv } from 'yargs';
import { DEFAULT_QUEUE, REDIS_URL_VARIABLE, WORKER_DEFAULTS } from '../../fleet/fleet-defaults';
import { parseDuration } from '../../sources/http/duration';
import type { CliIo } from '../io';
import { reportError } from '../report-error';

// The fleet's modules load BullMQ and ioredis (about half a second): only the commands that use them pay for it.
const fleet = () => Promise.all([import('../../fleet/fleet-redis'), import('../../fleet/fleet-worker')]);

/** `--redis` and `--queue`, shared by `worker`, `enqueue` and `jobs`. */
export function redisOptions<T>(command: Argv<T>) {
  return command
    .option('redis', {
      type: 'string',
      requiresArg: true,
      describe: `Redis URL: redis://[:password@]host:6379 or rediss:// (TLS). Default: $${REDIS_URL_VARIABLE}, which keeps a password out of ps`,
    })
    .option('queue', { type: 'string', requiresArg: true, default: DEFAULT_QUEUE, describe: 'Queue name' });
}

/** A duration option (`30s`, `500ms`, `2m`), its value in milliseconds. */
export function durationOption(name: string, defaultMs: number, describe: string) {
  return {
    type: 'string',
    requiresArg: true,
    // In the largest whole unit, as one would type it: 30s, 168h.
    default: defaultMs % 3_600_000 === 0 ? `${defaultMs / 3_600_000}h` : defaultMs % 1000 === 0 ? `${defaultMs / 1000}s` : `${defaultMs}ms`,
    describe,
    coerce: (text: string) => {
      const ms = parseDuration(text);
      if (ms === undefined) throw new Error(`--${name} expects a duration such as 30s, 500ms or 2m`);
      return ms;
    },
  } as const;
}

export function workerOptions<T>(command: Argv<T>) {
  return redisOptions(command)
    .option('concurrency', { type: 'number', requiresArg: true, default: WORKER_DEFAULTS.concurrency, describe: 'Jobs run at once by this worker' })
    .option('grace', durationOption('grace', WORKER_DEFAULTS.graceMs, 'On SIGTERM: time the active jobs have to finish before they are rolled back and put back in the queue'))
    .option('lock-duration', durationOption('lock-duration', WORKER_DEFAULTS.lockDurationMs, "A job's lock without renewal: after a worker dies, its jobs wait this long for another"))
    .option('stalled-interval', durationOption('stalled-interval', WORKER_DEFAULTS.stalledIntervalMs, 'How often the worker looks for jobs whose worker died'))
    .check(({ concurrency }) => {
      if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new Error('--concurrency expects a whole number above 0');
      return true;
    });
}

export interface WorkerArguments {
  readonly redis?: string;
  readonly queue: string;
  readonly concurrency: number;
  readonly graceMs: number;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
}

/**
 * Runs pipeline jobs from the queue until SIGTERM or SIGINT: then it takes no more and gives the
 * active ones the grace period; a second signal rolls them back at once. Exit 0 once stopped.
 */
export async function runWorker(args: WorkerArguments, io: CliIo): Promise<number> {
  const [{ checkRedisUrl }, { startFleetWorker }] = await fleet();
  let redisUrl: string;
  try {
    redisUrl = checkRedisUrl(args.redis ?? io.env[REDIS_URL_VARIABLE]);
  } catch (error) {
    return reportError(error, io);
  }
  const worker = startFleetWorker({
    redisUrl,
    queue: args.queue,
    concurrency: args.concurrency,
    lockDurationMs: args.lockDurationMs,
    stalledIntervalMs: args.stalledIntervalMs,
    logger: io.logger,
  });
  const stopped = new Promise<void>((resolve, reject) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals === 1) io.logger.log('info', `${signal}: stopping (a second ${signal} rolls the active jobs back at once)`);
      worker.stop(signals === 1 ? args.graceMs : 0).then(resolve, reject);
    };
    process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  });
  try {
    await Promise.race([worker.ready, stopped]);
  } catch (error) {
    await worker.stop(0);
    return reportError(error, io);
  }
  await stopped;
  return 0;
}
