import { createInterface } from 'node:readline/promises';
import { ConfigError } from '../../errors/config-error';
import { loadStateSettings } from '../../state/load-state-settings';
import { openStateStore } from '../../state/state-config';
import { type PipelineState, type RunCheckpoint, STATE_FORMAT } from '../../state/state-document';
import { allSinks, discardCheckpoint } from '../../state/checkpoints';
import { clearJournals } from '../../state/operator-checkpoints';
import { buildPipeline } from '../../pipeline/build-pipeline';
import { loadPipeline } from '../../pipeline/load-pipeline';
import { dirname } from 'node:path';
import { acquireLock } from '../../state/state-lock';
import type { LockState } from '../../state/state-store';
import type { CliIo } from '../io';
import { formatBytes } from '../progress';
import { reportError } from '../report-error';

export const STATE_FORMATS = ['text', 'json'] as const;

export interface StateArguments {
  readonly file: string;
  /** Clear the cursor, the last run and any unfinished run, after confirmation. */
  readonly reset?: boolean;
  /** Reset without asking. */
  readonly yes?: boolean;
  readonly format?: (typeof STATE_FORMATS)[number];
}

/** Asks a yes/no question; resolves false for anything but yes. Undefined when there is no terminal to ask on. */
export type Confirm = ((question: string) => Promise<boolean>) | undefined;

/** Asks on the terminal, when stdin and stderr are one. */
export function terminalConfirm(): Confirm {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (question) => {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
    } finally {
      prompt.close();
    }
  };
}

/**
 * Prints a pipeline's state to stdout (cursor, last successful run, unfinished run, lock), or with
 * `reset` clears it: after confirmation on a terminal, with `yes` without; never while a run holds
 * the lock. Exit 0; 1 when the store fails or is locked; 2 for a bad file or a reset nobody confirmed.
 */
export async function stateCommand(args: StateArguments, io: CliIo, confirm: Confirm): Promise<number> {
  try {
    const settings = await loadStateSettings(args.file, io.env);
    const store = openStateStore(settings.state, io.logger);
    try {
      const [state, lock] = await Promise.all([store.load(), store.readLock()]);
      if (!args.reset) {
        io.stdout.write(args.format === 'json' ? `${JSON.stringify({ location: store.location, state: state ?? null, lock: lock.holder ?? null }, null, 2)}\n` : describeState(settings.name, store.location, state, lock));
        return 0;
      }
      if (!state?.cursor && !state?.lastRun && !state?.unfinished) {
        io.logger.log('info', `state ${store.location}: nothing to reset`);
        return 0;
      }
      if (!args.yes) {
        const question = `Reset the state of ${settings.name} at ${store.location}${state.cursor ? ` (cursor ${state.cursor.field} ${state.cursor.value})` : ''}? Its next run exports everything again.`;
        if (!confirm) {
          throw new ConfigError(args.file, [{ path: '', message: 'refusing to reset the state without confirmation: no terminal to ask on (pass --yes)' }]);
        }
        if (!(await confirm(question))) {
          io.logger.log('info', 'state left as it was');
          return 0;
        }
      }
      const held = await acquireLock(store, { pipeline: settings.name, leaseMs: settings.state.lease, logger: io.logger });
      try {
        if (state.unfinished) await discardOutputs(args.file, state.unfinished, io);
        await store.save({ format: STATE_FORMAT, pipeline: settings.name, updatedAt: new Date().toISOString() });
        await clearJournals(store, io.logger);
      } finally {
        await held.release();
      }
      io.logger.log('info', `state ${store.location} reset: the next run of ${settings.name} starts from the beginning`);
      return 0;
    } finally {
      await store.close?.();
    }
  } catch (error) {
    return reportError(error, io);
  }
}

/** Removes the temporary files and open uploads of the unfinished run; its sinks come from the whole pipeline file. */
async function discardOutputs(file: string, checkpoint: RunCheckpoint, io: CliIo): Promise<void> {
  try {
    const definition = await loadPipeline(file, { env: io.env });
    const pipeline = buildPipeline(definition, { logger: io.logger, pipelineDir: dirname(file), runId: checkpoint.runId, startedAt: new Date(checkpoint.startedAt) });
    await discardCheckpoint(checkpoint, allSinks(pipeline), io.logger);
    io.logger.log('info', `removed what the unfinished run ${checkpoint.runId} left (temporary files, open multipart uploads)`);
  } catch (error) {
    io.logger.log('warn', `could not remove what the unfinished run ${checkpoint.runId} left, so temporary files or open multipart uploads may stay: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function describeState(name: string, location: string, state: PipelineState | undefined, { holder }: LockState): string {
  const lines = [`pipeline ${name}, state ${location}`];
  const row = (label: string, text: string) => lines.push(`  ${`${label}:`.padEnd(16)}${text}`);
  const { cursor, lastRun, unfinished } = state ?? {};
  if (cursor) {
    const remembered = cursor.seen.reduce((sum, group) => sum + group.keys.length, 0);
    row('cursor', `${cursor.field} ${cursor.value} (${remembered} record${remembered === 1 ? '' : 's'} at or near it remembered)`);
  } else row('cursor', 'none (the next run exports everything)');
  if (lastRun) {
    const records = lastRun.outputs.map((output) => `${output.name} ${output.records} records (${formatBytes(output.bytes)})`).join(', ');
    row('last run', `${lastRun.finishedAt} (run ${lastRun.runId}, started ${lastRun.startedAt}): ${lastRun.pages} pages, ${lastRun.recordsRead} records read`);
    row('  outputs', records || 'none');
    if (lastRun.cursor) row('  cursor', `${lastRun.cursor.from ?? '(first run)'} → ${lastRun.cursor.to}`);
  } else row('last run', 'none');
  if (unfinished) {
    row('unfinished run', `${unfinished.runId}, started ${unfinished.startedAt}: checkpoint after page ${unfinished.pages}, saved ${unfinished.savedAt}`);
    for (const sink of unfinished.sinks) row('  committed', `${sink.name} ${JSON.stringify(sink.position)}`);
  } else row('unfinished run', 'none');
  row('lock', holder ? `held by pid ${holder.pid} on host ${holder.host} since ${holder.since} (lease until ${holder.expiresAt})` : 'free');
  return `${lines.join('\n')}\n`;
}
