import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startApiServerPerTest } from '../../helpers/api-server';
import { runCli } from '../../helpers/run-cli';
import { createTmpDir } from '../../helpers/tmp-dir';

jest.setTimeout(120_000);

const PAGES = 12;
const PAGE_MB = 16;

/** Pages of about 16 MB (records of 1 kB), with `last_page`: the count is known, so all 8 could be requested at once. */
function bigPages() {
  const records = JSON.stringify(Array.from({ length: Math.round((PAGE_MB * 1024 * 1024) / 1030) }, (_, index) => ({ id: index, text: 'x'.repeat(1000) })));
  return (url: URL) => {
    const page = Number(url.searchParams.get('page') ?? 1);
    return { raw: `{"current_page":${page},"last_page":${PAGES},"data":${records}}` };
  };
}

const peakRss = (stderr: string) => Number(/rss-probe: maxRSS (\d+) kB/.exec(stderr)?.[1]) / 1024;

describe('read-ahead is bounded by bytes as well as pages (spawned CLI, big pages)', () => {
  const start = startApiServerPerTest();

  it('keeps no more than maxReadAheadBytes of pages ahead, whatever the concurrency, and the process small', async () => {
    const dir = await createTmpDir();
    try {
      const api = await start(bigPages());
      const pipeline = (bound: number) => `name: big-pages
source:
  type: http
  url: ${api.origin}/items
  pagination: { type: page-number, lastPage: last_page }
  concurrency: 8
  maxReadAheadBytes: ${bound}
sinks:
  - type: file
    path: out/big.ndjson
`;
      const run = async (bound: number) => {
        await writeFile(dir.resolve('pipeline.yaml'), pipeline(bound));
        const before = api.requests.length;
        const result = await runCli(['-q', 'run', 'pipeline.yaml'], { cwd: dir.path, env: { NODE_OPTIONS: `--require ${join(__dirname, '../../helpers/rss-probe.js')}` }, timeoutMs: 100_000 });
        expect(result.exitCode).toBe(0);
        expect(api.requests.length - before).toBe(PAGES);
        return peakRss(result.stderr);
      };

      // 40 MB: the next page and one more ahead, never the 8 the concurrency allows.
      const bounded = await run(40 * 1024 * 1024);
      expect(api.maxInFlight()).toBeLessThanOrEqual(2);
      // How much unbounded read-ahead piles up depends on how fast the pages arrive against how fast
      // they are written: the higher of two runs is what it reaches. Pages cost less than they did
      // when each body was also joined into one buffer, so the margin is 10 %, not 20 %.
      let unbounded = 0;
      for (const _ of [1, 2]) {
        unbounded = Math.max(unbounded, await run(1e12));
        expect(api.maxInFlight()).toBeGreaterThan(4);
      }
      process.stderr.write(`read-ahead: ${PAGES} pages of ${PAGE_MB} MB at concurrency 8: peak RSS ${bounded.toFixed(0)} MiB within 40 MB, ${unbounded.toFixed(0)} MiB unbounded\n`);
      expect(bounded).toBeLessThan(unbounded * 0.9);
      expect(bounded).toBeLessThan(480);
    } finally {
      await dir.remove();
    }
  });
});
