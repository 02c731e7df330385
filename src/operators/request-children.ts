import { Observable, type OperatorFunction, type Subscription } from 'rxjs';
import { z } from 'zod';
import { SourceError } from '../errors/source-error';
import { compileFieldPath } from '../expressions/field-path';
import { ExactNumber } from '../json/exact-number';
import { defineOperator } from '../pipeline/component';
import type { RunMetrics } from '../pipeline/run-metrics';
import type { StepFlow } from '../pipeline/step-flow';
import type { DataRecord } from '../record';
import { HttpStatusError } from '../sources/http/http-errors';
import type { HttpSession } from '../sources/http/http-session';
import { crawlPages } from '../sources/http/page-crawler';
import { originOf } from '../sources/http/page-url';
import { createPaginator, paginationConfig } from '../sources/http/pagination/pagination-types';
import type { SessionLink } from '../sources/http/session-link';
import { checkedPath, fieldPathConfig } from './omit-fields';
import { RecordShapeError } from './record-fields';

const PLACEHOLDER = /\{([^{}]*)\}/g;

export const requestConfig = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .refine((url) => [...url.matchAll(PLACEHOLDER)].every(([, path]) => fieldPathConfig.safeParse(path).success), 'expected {field.path} placeholders such as {id}')
      .meta({
        description: "The child resource, relative to the source's origin (or absolute); each `{field.path}` is the current record's value there, URL-encoded.",
        examples: ['/v1/customers/{id}/contacts'],
        secret: false,
      }),
    records: z.string().default('data').meta({ description: 'Dot path of the records array in each child page; `""` when the body is the array.', secret: false }),
    pagination: paginationConfig,
    attach: fieldPathConfig.optional().meta({ description: 'Put the child records into the parent record as an array under this field.', examples: ['contacts'] }),
    emit: z.literal(true).optional().meta({ description: 'Emit the child records instead of the parents (each with the `include` fields of its parent).' }),
    include: z
      .record(z.string().min(1), fieldPathConfig)
      .optional()
      .meta({ description: 'With `emit`: fields set on every child record, from dot paths of its parent (they win over a child field of the same name).', examples: [{ customerId: 'id' }] }),
    concurrency: z.int().min(1).max(32).default(4).meta({ description: 'Child fetches in flight at once; the output keeps the order of the parents.' }),
    onNotFound: z
      .enum(['empty', 'fail'])
      .default('fail')
      .meta({ description: 'A 404 on the first child page: `empty` (the parent has no children) or `fail` the run.' }),
    maxBufferedRecords: z
      .int()
      .min(1)
      .default(10_000)
      .meta({ description: 'Child records held for the parents after the one being written; fetches ahead pause past it (the parent being written always goes on).' }),
  })
  .superRefine((config, context) => {
    if ((config.attach === undefined) === (config.emit === undefined)) {
      context.addIssue({ code: 'custom', message: 'expected either attach: <field> or emit: true' });
    }
    if (config.include !== undefined && config.emit === undefined) context.addIssue({ code: 'custom', path: ['include'], message: 'only applies with emit: true' });
  });

export type RequestOptions = z.output<typeof requestConfig>;

export interface RequestDeps {
  /** Where the running source's session is found. */
  readonly sessions: SessionLink;
  /** Connects the step to the source/sink handshake; without it, nothing holds the source back. */
  readonly flow?: StepFlow;
  readonly metrics?: RunMetrics;
}

/** The child fetch of one parent record, in the order the parents came. */
interface Slot {
  readonly parent: DataRecord;
  /** `record 4 of page 2`: names the parent in errors. */
  readonly where: string;
  readonly url: string;
  /** Child records not emitted yet (with `attach`, all of them). */
  children: DataRecord[];
  pages: number;
  started: boolean;
  done: boolean;
  subscription?: Subscription;
}

/**
 * One paginated child fetch per record (`GET /v1/customers/{id}/contacts`), made with the source's
 * session: its auth, retry policy, rate gate and origin rules. Up to `concurrency` fetches run at
 * once and the output keeps the parents' order: each parent with its children attached, or the
 * children themselves. Memory stays bounded: the source waits while more than `concurrency` parents
 * are pending, fetches ahead of the parent being written pause once `maxBufferedRecords` child
 * records are held, and the children being emitted are read no faster than the sinks take them.
 * Every page of every child is read; a failed child fails the run, naming the parent and the URL.
 */
export function requestChildren(options: RequestOptions, deps: RequestDeps): OperatorFunction<DataRecord, DataRecord> {
  const { attach, concurrency, maxBufferedRecords, onNotFound } = options;
  const { flow, metrics } = deps;
  const urlOf = compileUrl(options.url);
  const include = Object.entries(options.include ?? {}).map(([field, path]) => ({ field, read: compileFieldPath(checkedPath('request', path)) }));
  const withParent = (parent: DataRecord) => {
    if (include.length === 0) return (child: DataRecord) => child;
    const values = include.map(({ field, read }) => [field, read(parent)] as const);
    return (child: DataRecord) => Object.assign({ ...child }, Object.fromEntries(values));
  };

  return (parents$) =>
    new Observable<DataRecord>((subscriber) => {
      const slots: Slot[] = [];
      let active = 0;
      let buffered = 0;
      let upstreamDone = false;
      let stopped = false;
      let session: HttpSession | undefined;
      let arrivals = { page: 0, index: 0 };
      let waiters: (() => void)[] = [];
      const changed = () => {
        const woken = waiters;
        waiters = [];
        for (const wake of woken) wake();
      };
      const until = async (ready: () => boolean) => {
        while (!ready() && !stopped) await new Promise<void>((resolve) => waiters.push(resolve));
      };

      const stop = () => {
        stopped = true;
        for (const slot of slots) slot.subscription?.unsubscribe();
        changed();
      };
      const fail = (error: unknown) => {
        if (stopped) return;
        stop();
        subscriber.error(error);
      };

      /** Emits what the parents at the front have ready, starts the next fetches, and ends after the last parent. */
      const pump = () => {
        while (slots.length > 0 && !stopped) {
          const head = slots[0];
          if (!attach && head.children.length > 0) {
            const ready = head.children;
            head.children = [];
            buffered -= ready.length;
            for (const child of ready) subscriber.next(child);
          }
          if (!head.done) break;
          slots.shift();
          if (attach) {
            buffered -= head.children.length;
            subscriber.next({ ...head.parent, [attach]: head.children });
          }
        }
        for (const slot of slots) {
          if (active >= concurrency || stopped) break;
          if (!slot.started) start(slot);
        }
        if (upstreamDone && slots.length === 0 && !stopped) {
          stopped = true;
          subscriber.complete();
        }
        changed();
      };

      const finish = (slot: Slot) => {
        slot.done = true;
        active -= 1;
        pump();
      };

      /** After each child page: the front parent's children go at the sinks' pace, the others wait for room. */
      const pace = async (slot: Slot) => {
        if (slot !== slots[0]) await until(() => slot === slots[0] || buffered < maxBufferedRecords);
        if (!attach && slot === slots[0]) await flow?.sinksTook();
      };

      const start = (slot: Slot) => {
        slot.started = true;
        active += 1;
        if (metrics) metrics.childRequests += 1;
        const crawlSession = session!;
        const paginator = createPaginator(options.pagination, { params: {} });
        const limits = { ...crawlSession.limits, concurrency: 1 };
        const adopt = withParent(slot.parent);
        slot.subscription = crawlPages(crawlSession, paginator, slot.url, { records: options.records, limits, demand: () => pace(slot) }).subscribe({
          next: (page) => {
            slot.pages += 1;
            if (metrics) metrics.childPages += 1;
            for (const child of page.records) slot.children.push(adopt(child));
            buffered += page.records.length;
            if (slot === slots[0]) pump();
          },
          error: (error: unknown) => {
            if (error instanceof HttpStatusError && error.status === 404 && slot.pages === 0 && onNotFound === 'empty') return finish(slot);
            fail(childError(slot, error, crawlSession));
          },
          complete: () => finish(slot),
        });
      };

      const release = flow?.hold(() => until(() => slots.length <= concurrency));
      const upstream = parents$.subscribe({
        next: (parent) => {
          const page = flow?.sourcePage() ?? 1;
          arrivals = page === arrivals.page ? { page, index: arrivals.index + 1 } : { page, index: 1 };
          const where = `record ${arrivals.index} of page ${page}`;
          try {
            slots.push({ parent, where, url: childUrl(urlOf(parent, where), session!), children: [], pages: 0, started: false, done: false });
          } catch (error) {
            return fail(error);
          }
          pump();
        },
        error: (error: unknown) => fail(error),
        complete: () => {
          upstreamDone = true;
          pump();
        },
      });
      // The source attached its session while it was subscribed to, just now.
      const lease = deps.sessions.lease();
      if (!lease) fail(new SourceError('request: the pipeline has no running http source whose session the child requests could use', { code: 'PF_REQUEST_NO_SESSION' }));
      else session = lease.session;
      return () => {
        stop();
        upstream.unsubscribe();
        release?.();
        lease?.release();
      };
    });
}

/** The URL template as a function of the record; a placeholder without a usable value fails naming the record. */
function compileUrl(template: string): (record: DataRecord, where: string) => string {
  const pieces = template.split(PLACEHOLDER);
  // split with a capture group: text, path, text, path, …, text
  const reads = pieces.map((piece, index) => (index % 2 === 1 ? compileFieldPath(checkedPath('request', piece)) : undefined));
  return (record, where) =>
    pieces
      .map((piece, index) => {
        const read = reads[index];
        if (!read) return piece;
        const value = read(record);
        if (typeof value === 'string' && value !== '') return encodeURIComponent(value);
        if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint' || value instanceof ExactNumber) return encodeURIComponent(String(value));
        throw new RecordShapeError('request', piece, record, `fill in {${piece}} of the url for ${where}: it is ${describe(value)}, not a string or number`);
      })
      .join('');
}

/** The filled-in URL against the source's origin; another origin only as the source's `allowCrossOrigin` allows (and never with credentials). */
function childUrl(path: string, session: HttpSession): string {
  const url = new URL(path, `${session.origin}/`).href;
  if (originOf(url) !== session.origin && !session.limits.allowCrossOrigin) {
    throw new SourceError(`request: ${session.redactor.redact(url)} is not on the source's origin (${session.origin}); set allowCrossOrigin on the source to allow it (without credentials)`, {
      code: 'PF_HTTP_CROSS_ORIGIN',
    });
  }
  return url;
}

function childError(slot: Slot, error: unknown, session: HttpSession): SourceError {
  const url = session.redactor.redact(slot.url);
  const notFound = error instanceof HttpStatusError && error.status === 404 && slot.pages === 0 ? ' (onNotFound: empty would take a 404 as no children)' : '';
  const message = error instanceof Error ? error.message : String(error);
  const details = error instanceof SourceError ? error.details : {};
  return new SourceError(`request: the children of ${slot.where} (${url}) could not be read: ${message}${notFound}`, { ...details, url, cause: error });
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (value === '') return 'empty';
  return Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

export const requestOperator = defineOperator({
  type: 'request',
  summary: "Fetches a paginated child resource per record (`/v1/customers/{id}/contacts`) with the source's auth and rate limit, and attaches or emits the children.",
  config: requestConfig,
  create: (config, { sessions, flow, metrics }) => {
    if (!sessions) throw new Error('request: built without a session link'); // buildPipeline always gives one
    return requestChildren(config, { sessions, flow, metrics });
  },
});
