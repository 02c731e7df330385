import { createHash } from 'node:crypto';
import { ConfigError } from '../errors/config-error';
import { Redactor } from '../errors/redact';
import type { PipelineDefinition } from '../pipeline/schema';
import type { Logger } from '../logger';
import type { Sink } from '../sinks/sink';
import type { RunCheckpoint } from './state-document';

/** What a run with `checkpoint:` needs of the caller. */
export interface CheckpointOptions {
  /** Save a checkpoint after every this many pages. */
  readonly every: number;
  /**
   * Digests of the definition's parts by name (`source`, `transforms`, `sinks`…), secrets left out
   * (`definitionDigests`): a checkpoint saved under other digests is refused, naming the parts that changed.
   */
  readonly definition: Readonly<Record<string, string>>;
}

/** A sink with the methods an exact resume needs. */
export type ResumableSink = Sink & Required<Pick<Sink, 'checkpoint' | 'resume' | 'suspend'>>;

/** 16 hex digits of SHA-256 per part, over its JSON with every secret replaced by `redact`. */
export function definitionDigests(parts: Readonly<Record<string, unknown>>, redact: (text: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(parts).map(([name, value]) => [name, createHash('sha256').update(redact(JSON.stringify(value ?? null))).digest('hex').slice(0, 16)]));
}

/** What a checkpoint of a pipeline file must match to be resumed: the parts that decide the outputs, secrets left out. */
export function pipelineDigests(definition: PipelineDefinition): Record<string, string> {
  const redactor = new Redactor();
  for (const secret of definition.secrets ?? []) redactor.add(secret);
  const { source, transforms, sinks, rejects, maxRejects } = definition;
  return definitionDigests({ source, transforms, sinks, rejects: { rejects, maxRejects } }, (text) => redactor.redact(text));
}

/** The multipart upload ids a checkpoint's sink positions hold: uploads its resume continues, never to be aborted as stale. */
export function uploadIdsOf(checkpoint: RunCheckpoint | undefined): Set<string> {
  const ids = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'uploadId' && typeof inner === 'string') ids.add(inner);
        else visit(inner);
      }
    }
  };
  visit(checkpoint?.sinks);
  return ids;
}

/** The parts whose digests differ, in the order of `now`. */
export function changedParts(saved: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>): string[] {
  const names = [...new Set([...Object.keys(now), ...Object.keys(saved)])];
  return names.filter((name) => saved[name] !== now[name]);
}

/** The sinks, each able to resume; a `ConfigError` naming the first that cannot. */
export function requireResumable(sinks: readonly Sink[]): ResumableSink[] {
  return sinks.map((sink) => {
    if (isResumable(sink)) return sink;
    throw new ConfigError('checkpoint', [{ path: 'checkpoint', message: `sink ${sink.metrics.name} cannot resume exactly (it has no checkpoint/resume): remove checkpoint, or write to a file or S3 sink` }]);
  });
}

function isResumable(sink: Sink): sink is ResumableSink {
  return typeof sink.checkpoint === 'function' && typeof sink.resume === 'function' && typeof sink.suspend === 'function';
}

/** A run's sinks and its rejects sink: every one a checkpoint holds a position of, in this order. */
export function allSinks(run: { readonly sinks: readonly Sink[]; readonly rejects?: { readonly sink?: Sink } }): Sink[] {
  return run.rejects?.sink ? [...run.sinks, run.rejects.sink] : [...run.sinks];
}

/**
 * Removes what an unfinished run left for its resume: each sink is reopened at its position and
 * aborted (temporary files removed, multipart uploads aborted). A sink whose outputs are already
 * gone is only a warning.
 */
export async function discardCheckpoint(checkpoint: RunCheckpoint, sinks: readonly Sink[], logger: Logger): Promise<void> {
  await Promise.all(
    sinks.map(async (sink, index) => {
      const saved = checkpoint.sinks[index];
      if (!saved || !sink.resume) return;
      try {
        await sink.resume(saved.position);
      } catch (error) {
        logger.log('warn', `${sink.metrics.name}: could not reopen what run ${checkpoint.runId} left, to remove it (${error instanceof Error ? error.message : String(error)})`);
      }
      await sink.abort(new Error(`the checkpoint of run ${checkpoint.runId} was discarded`));
    }),
  );
}
