import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { DataRecord } from '../record';
import type { BatchOrigin, Sink } from '../sinks/sink';
import type { PageMark } from '../sources/source';
import type { RejectChannel } from './component';

/** The first write holds the whole first page (CSV columns are its keys), up to this many batches of records. */
const FIRST_PAGE_BATCHES = 10;

/** A page as the sink stage knows it: its index at once, its mark from the `demand` that ends it. */
interface PageTally {
  index: number;
  /** Read only to name the page in a message: a source may make its URL only when asked (a redacted copy). */
  mark?: PageMark;
  /** Records of it that reached the stage so far. */
  records: number;
}

/** Where a run of records of one page starts in the buffer. */
interface PageSpan {
  readonly start: number;
  readonly page: PageTally;
  /** The index, within its page, of the record at `start`. */
  readonly first: number;
}

interface Rejected {
  readonly record: DataRecord;
  readonly step: string;
  readonly error: unknown;
  readonly page: PageTally;
}

export interface SinkStageOptions {
  readonly sinks: readonly Sink[];
  /** Gets every rejected record, wrapped as `{ record, step, error, page }`. */
  readonly rejects?: Sink;
  /** Records per write after the first page. */
  readonly batchSize: number;
  /** Hears of each reject (after it was queued); throws to fail the run. */
  readonly onReject: () => void;
  /** Told of the first failure of a write; the run stops with it. */
  readonly onFailure: (error: unknown) => void;
}

/**
 * Collects the records that reach the end of the pipe and writes them, in order and in batches, to
 * every sink at once. It is the sink side of the source/sink handshake: `demand(mark)` resolves only
 * when the sinks have taken everything emitted so far, and each call is a page boundary. It names
 * every record by its page for the sinks' errors ("record 4 of page 3 (url)"), makes the first write
 * the whole first page (bounded by `batchSize × 10` for a source that never calls `demand`), and
 * writes the page's rejected records to the rejects sink with it.
 */
export class SinkStage implements RejectChannel {
  private buffer: DataRecord[] = [];
  private spans: PageSpan[] = [];
  private rejected: Rejected[] = [];
  private page: PageTally = { index: 1, records: 0 };
  private spanPage?: PageTally;
  private firstWritten = false;
  private writing?: Promise<void>;
  private failure?: unknown;

  constructor(private readonly options: SinkStageOptions) {}

  push(record: DataRecord): void {
    if (this.spanPage !== this.page) {
      this.spans.push({ start: this.buffer.length, page: this.page, first: this.page.records });
      this.spanPage = this.page;
    }
    this.buffer.push(record);
    this.page.records += 1;
    // Bounds the buffer when a source emits a large page, or never asks for demand at all. While a
    // write is under way the running flush takes the rest: no promise per record.
    const limit = this.firstWritten ? this.options.batchSize : this.options.batchSize * FIRST_PAGE_BATCHES;
    if (this.buffer.length >= limit && !this.writing) void this.flush().catch(() => {});
  }

  reject(record: DataRecord, step: string, error: unknown): void {
    this.rejected.push({ record, step, error, page: this.page });
    this.options.onReject();
  }

  /** Ends the current page (named by `mark`); resolves once every record emitted so far has been written. */
  async demand(mark?: PageMark): Promise<void> {
    // Lets promise-based operators (JSONata) deliver the page's records before we look at the buffer.
    await nextMacrotask();
    if (mark) {
      this.page.index = mark.index;
      this.page.mark = mark;
    }
    this.page = { index: this.page.index + 1, records: 0 };
    await this.flush();
  }

  /** Resolves once every record emitted so far has been written; rejects with the sinks' failure. */
  async flush(): Promise<void> {
    this.writing ??= this.writeAll().finally(() => {
      this.writing = undefined;
    });
    await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * The run failed or was stopped: nothing more is written (a page in the buffer must not reach a sink
   * that cannot take it back, stdout), and the write under way, if any, is waited for so the sinks are
   * not aborted in the middle of it.
   */
  async cancel(reason: unknown): Promise<void> {
    this.failure ??= reason;
    this.buffer = [];
    this.rejected = [];
    await this.writing;
  }

  private async writeAll(): Promise<void> {
    while ((this.buffer.length > 0 || this.rejected.length > 0) && this.failure === undefined) {
      const batch = this.buffer;
      const origin = describeSpans(this.spans);
      const rejected = this.rejected;
      this.buffer = [];
      this.spans = [];
      this.spanPage = undefined;
      this.rejected = [];
      this.firstWritten = true;
      try {
        const writes = batch.length > 0 ? this.options.sinks.map((sink) => sink.write(batch, origin)) : [];
        if (rejected.length > 0 && this.options.rejects) writes.push(this.options.rejects.write(rejected.map(wrapReject)));
        await Promise.all(writes);
      } catch (error) {
        this.failure = error;
        this.options.onFailure(error);
      }
    }
  }
}

function describeSpans(spans: readonly PageSpan[]): BatchOrigin {
  return {
    describe(index: number): string {
      let span = spans[0];
      for (const each of spans) if (each.start <= index) span = each;
      const { page } = span;
      const url = page.mark?.url;
      return `record ${span.first + index - span.start + 1} of page ${page.index}${url ? ` (${url})` : ''}`;
    },
  };
}

/** A rejected record as the rejects sink gets it. */
function wrapReject({ record, step, error, page }: Rejected): DataRecord {
  return {
    record,
    step,
    error: error instanceof Error ? error.message : String(error),
    page: page.mark?.url ? { index: page.index, url: page.mark.url } : { index: page.index },
  };
}
