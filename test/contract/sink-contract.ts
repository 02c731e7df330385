import type { DataRecord } from '../../src/record';
import type { BatchOrigin, Sink } from '../../src/sinks/sink';

/** One sink made for one contract case, and the ways to look at what it left. */
export interface SinkUnderTest {
  readonly sink: Sink;
  /** The records every visible output holds, outputs in name order; [] when there is none. */
  readBack(): Promise<DataRecord[]>;
  /** Whatever of the run is left where it should not be: temporary files, objects, half-done uploads. */
  leftovers(): Promise<string[]>;
  /** Resumable subjects: another sink of the same configuration over the same destination, as a later process makes it. */
  again?(): Sink;
  /** Resumable subjects: the bytes of every visible output, in name order. */
  outputBytes?(): Promise<Buffer[]>;
}

/** What the contract needs to know of a kind of sink. */
export interface SinkSubject {
  readonly name: string;
  /** A fresh sink over a fresh destination. */
  create(): Promise<SinkUnderTest>;
  /** A sink whose `open` must fail, and the message it must fail with (omit for sinks that cannot fail to open). */
  unopenable?(): Promise<{ readonly sink: Sink; readonly message: RegExp }>;
  /** The order records read back in: partitioned sinks group them by partition (`{record.integration}`). @default as written */
  arrange?(records: DataRecord[]): DataRecord[];
  /** Whether an empty run leaves an output (false for a path with {record.…}). @default true */
  readonly emptyOutput?: boolean;
  /** Whether `abort` can take back what was written (not stdout). @default true */
  readonly rollsBack?: boolean;
  /** Whether the sink checkpoints and resumes (`again` and `outputBytes` given). @default false */
  readonly resumable?: boolean;
}

/** One case of the contract; more are added here (checkpoint, resume) and every sink then runs them. */
export interface SinkContractCase {
  readonly name: string;
  /** Whether the case applies to the subject. @default always */
  readonly appliesTo?: (subject: SinkSubject) => boolean;
  run(subject: SinkSubject): Promise<void>;
}

/** Records every format reads back alike: strings only, two partitions. */
export function contractRecords(from: number, count: number): DataRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const n = from + index;
    return { id: `r${String(n).padStart(4, '0')}`, name: `Name ${n}`, integration: n % 3 === 0 ? 'moneybird' : 'acumulus' };
  });
}

/** Names records as the runner does: "record 2 of page 4". */
export const pageOrigin = (page: number): BatchOrigin => ({ describe: (index) => `record ${index + 1} of page ${page}` });

const expectedRead = (subject: SinkSubject, records: DataRecord[]) => (subject.arrange ? subject.arrange(records) : records);

/** A position as it comes back from a state document: JSON, nothing shared with the sink that made it. */
const throughJson = (position: unknown): unknown => JSON.parse(JSON.stringify(position));

/** A checkpoint's position once it is durable, as the runner saves it (through JSON). */
async function durablePosition(sink: Sink): Promise<unknown> {
  const { position, durable } = await sink.checkpoint!();
  await durable;
  return throughJson(position);
}

const resumable = (subject: SinkSubject) => subject.resumable === true;

export const SINK_CONTRACT_CASES: SinkContractCase[] = [
  {
    name: 'writes every record, in order, across batches, and counts records and bytes per output',
    async run(subject) {
      const { sink, readBack, leftovers } = await subject.create();
      const batches = [contractRecords(0, 5), contractRecords(5, 1), contractRecords(6, 7)];
      await sink.open();
      for (const [index, batch] of batches.entries()) await sink.write(batch, pageOrigin(index + 1));
      await sink.finish();
      expect(await readBack()).toEqual(expectedRead(subject, batches.flat()));
      expect(await leftovers()).toEqual([]);
      expect(sink.metrics.records).toBe(13);
      expect(sink.metrics.bytes).toBeGreaterThan(0);
      const outputs = sink.metrics.outputs ?? [];
      expect(outputs.length).toBeGreaterThan(0);
      expect(outputs.reduce((sum, output) => sum + output.records, 0)).toBe(13);
      expect(outputs.reduce((sum, output) => sum + output.bytes, 0)).toBe(sink.metrics.bytes);
    },
  },
  {
    name: 'leaves a valid empty output for a run without records',
    async run(subject) {
      const { sink, readBack, leftovers } = await subject.create();
      await sink.open();
      await sink.finish();
      expect(await readBack()).toEqual([]);
      expect(sink.metrics.outputs ?? []).toHaveLength(subject.emptyOutput === false ? 0 : 1);
      expect(await leftovers()).toEqual([]);
    },
  },
  {
    name: 'leaves nothing behind when aborted after writes',
    appliesTo: (subject) => subject.rollsBack !== false,
    async run(subject) {
      const { sink, readBack, leftovers } = await subject.create();
      await sink.open();
      await sink.write(contractRecords(0, 4), pageOrigin(1));
      await sink.write(contractRecords(4, 4), pageOrigin(2));
      await sink.abort(new Error('page 3 failed'));
      expect(await readBack()).toEqual([]);
      expect(await leftovers()).toEqual([]);
    },
  },
  {
    name: 'leaves nothing behind when aborted right after open, and abort never throws',
    appliesTo: (subject) => subject.rollsBack !== false,
    async run(subject) {
      const { sink, readBack, leftovers } = await subject.create();
      await sink.open();
      await expect(sink.abort(new Error('interrupted'))).resolves.toBeUndefined();
      await expect(sink.abort(new Error('again'))).resolves.toBeUndefined();
      expect(await readBack()).toEqual([]);
      expect(await leftovers()).toEqual([]);
    },
  },
  {
    name: 'finishes once: a second finish writes nothing more',
    async run(subject) {
      const { sink, readBack } = await subject.create();
      await sink.open();
      await sink.write(contractRecords(0, 3), pageOrigin(1));
      await sink.finish();
      const bytes = sink.metrics.bytes;
      await sink.finish();
      expect(sink.metrics.bytes).toBe(bytes);
      expect(await readBack()).toEqual(expectedRead(subject, contractRecords(0, 3)));
    },
  },
  {
    name: 'resumed in another sink after a checkpoint, writes the outputs byte for byte as a run that never stopped, counting every record once',
    appliesTo: resumable,
    async run(subject) {
      const pages = [contractRecords(0, 5), contractRecords(5, 4), contractRecords(9, 6)];
      const whole = await subject.create();
      await whole.sink.open();
      const durable: Promise<void>[] = [];
      for (const [index, page] of pages.entries()) {
        await whole.sink.write(page, pageOrigin(index + 1));
        // The next write comes as soon as the position is taken, as the runner makes it.
        durable.push((await whole.sink.checkpoint!()).durable);
      }
      await Promise.all(durable);
      await whole.sink.finish();

      const cut = await subject.create();
      await cut.sink.open();
      await cut.sink.write(pages[0], pageOrigin(1));
      const taken = await cut.sink.checkpoint!();
      // Written after the checkpoint (before it was durable), then the process died: the resumed sink
      // drops it and writes it again.
      await cut.sink.write(pages[1], pageOrigin(2));
      await taken.durable;
      const position = throughJson(taken.position);
      await cut.sink.suspend!();
      const resumed = cut.again!();
      await resumed.resume!(position);
      await resumed.write(pages[1], pageOrigin(2));
      await durablePosition(resumed);
      await resumed.write(pages[2], pageOrigin(3));
      // The same checkpoints as the run that never stopped: they are where a gzip stream is flushed.
      await durablePosition(resumed);
      await resumed.finish();

      expect(await cut.outputBytes!()).toEqual(await whole.outputBytes!());
      expect(await cut.readBack()).toEqual(expectedRead(subject, pages.flat()));
      expect(resumed.metrics.records).toBe(15);
      expect(resumed.metrics.bytes).toBe(whole.sink.metrics.bytes);
      expect(await cut.leftovers()).toEqual([]);
    },
  },
  {
    name: 'resumed from a checkpoint taken before any record, leaves a valid empty output',
    appliesTo: resumable,
    async run(subject) {
      const { sink, again, readBack, leftovers } = await subject.create();
      await sink.open();
      const position = await durablePosition(sink);
      await sink.suspend!();
      const resumed = again!();
      await resumed.resume!(position);
      await resumed.finish();
      expect(await readBack()).toEqual([]);
      expect(resumed.metrics.outputs).toHaveLength(1);
      expect(await leftovers()).toEqual([]);
    },
  },
  {
    name: 'resumed and aborted (a discarded checkpoint), leaves nothing behind',
    appliesTo: resumable,
    async run(subject) {
      const { sink, again, readBack, leftovers } = await subject.create();
      await sink.open();
      await sink.write(contractRecords(0, 4), pageOrigin(1));
      const position = await durablePosition(sink);
      await sink.suspend!();
      expect(await readBack()).toEqual([]);
      const resumed = again!();
      await resumed.resume!(position);
      await resumed.abort(new Error('discarded'));
      expect(await readBack()).toEqual([]);
      expect(await leftovers()).toEqual([]);
    },
  },
  {
    name: 'fails in open, before any write, when its output cannot be written',
    appliesTo: (subject) => subject.unopenable !== undefined,
    async run(subject) {
      const { sink, message } = await subject.unopenable!();
      await expect(sink.open()).rejects.toThrow(message);
      await expect(sink.abort(new Error('open failed'))).resolves.toBeUndefined();
    },
  },
];

/** Runs every contract case that applies to the subject, each with a sink of its own. */
export function testSinkContract(subject: SinkSubject): void {
  describe(`sink contract: ${subject.name}`, () => {
    for (const contractCase of SINK_CONTRACT_CASES) {
      if (contractCase.appliesTo && !contractCase.appliesTo(subject)) continue;
      it(contractCase.name, () => contractCase.run(subject));
    }
  });
}
