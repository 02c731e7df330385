import { PassThrough, Writable } from 'node:stream';
import { SinkError } from '../../src/errors/sink-error';
import { createStdoutSink } from '../../src/sinks/stdout-sink';
import { readOutput } from '../contract/read-output';
import { testSinkContract } from '../contract/sink-contract';

for (const format of ['ndjson', 'csv'] as const) {
  testSinkContract({
    name: `stdout (${format})`,
    async create() {
      const chunks: Buffer[] = [];
      const stream = new PassThrough();
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      return {
        sink: createStdoutSink({ format }, stream),
        readBack: () => readOutput(`stdout.${format}`, Buffer.concat(chunks)),
        leftovers: async () => [],
      };
    },
    // What reached stdout cannot be taken back.
    rollsBack: false,
  });
}

describe('createStdoutSink', () => {
  it('writes NDJSON by default, or CSV when asked', async () => {
    const ndjson = new PassThrough();
    const chunks: string[] = [];
    ndjson.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const sink = createStdoutSink({}, ndjson);
    await sink.open();
    await sink.write([{ id: 'a' }, { id: 'b', ok: true }]);
    await sink.finish();
    expect(chunks.join('')).toBe('{"id":"a"}\n{"id":"b","ok":true}\n');

    const csv = new PassThrough();
    const csvChunks: string[] = [];
    csv.on('data', (chunk: Buffer) => csvChunks.push(chunk.toString()));
    const csvSink = createStdoutSink({ format: 'csv' }, csv);
    await csvSink.open();
    await csvSink.write([{ id: 'a', ok: false }]);
    await csvSink.finish();
    expect(csvChunks.join('')).toBe('id,ok\na,false\n');
  });

  it('waits until a slow reader has drained what it was given', async () => {
    let release!: () => void;
    const taken: string[] = [];
    const slow = new Writable({
      highWaterMark: 8,
      write(chunk: Buffer, _encoding, callback) {
        taken.push(chunk.toString());
        release = callback;
      },
    });
    const sink = createStdoutSink({}, slow);
    let written = false;
    const writing = sink.write([{ id: 'a-long-enough-record' }]).then(() => (written = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toBe(false);
    release();
    await writing;
    expect(taken).toEqual(['{"id":"a-long-enough-record"}\n']);
  });

  it('says in one line that the reader closed the pipe', async () => {
    const closed = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const sink = createStdoutSink({}, closed);
    await sink.write([{ id: 'a' }]).catch(() => {});
    const failure = await sink
      .write([{ id: 'b' }])
      .then(() => sink.finish())
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SinkError);
    expect((failure as Error).message).toMatch(/^\[sink:stdout\] write failed: the reading end of the pipe was closed \(EPIPE\)/);
  });
});
