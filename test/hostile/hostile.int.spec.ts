import { HOSTILE_CASES } from './hostile-cases';
import { runHostileCase } from './hostile-harness';

// Each case runs the built CLI twice against its own server; the cases overlap to keep the file fast.
jest.setTimeout(120_000);

describe('hostile servers: every record exactly or exit 1 naming the cause; previous output kept; no temp file; no secret printed', () => {
  it.concurrent.each(HOSTILE_CASES.map((hostile) => [hostile.name, hostile] as const))('%s', async (_name, hostile) => {
    await runHostileCase(hostile);
  });
});
