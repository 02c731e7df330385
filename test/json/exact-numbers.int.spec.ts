import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { runCli } from '../helpers/run-cli';
import { createTmpDir, type TmpDir } from '../helpers/tmp-dir';

jest.setTimeout(20_000);

// Written by hand: JSON.stringify could not write these numbers.
const PAGE =
  '{"data":[{"id":9007199254740993,"amount":0.1000000000000000055511151231257827,"huge":1e400},' +
  '{"id":9007199254740992,"amount":0.5,"huge":1},{"id":9007199254740993,"amount":1,"huge":2}],"next_page_url":null}';

let dir: TmpDir;
let server: http.Server;
let url: string;

beforeEach(async () => {
  dir = await createTmpDir('pageflow-exact-');
  server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(PAGE);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/items`;
});
afterEach(async () => {
  server.close();
  await dir.remove();
});

it('keeps big and exact numbers exact from the page through dedup, field paths and JSONata to NDJSON', async () => {
  const file = dir.resolve('exact.yaml');
  await writeFile(
    file,
    `name: exact\nsource:\n  type: http\n  url: ${url}\ntransforms:\n  - dedup: id\n  - set: { copy: id, digits: '$string(id) & ""', kind: '$type(id)' }\nsinks:\n  - type: stdout\n`,
  );
  const run = await runCli(['run', file]);
  expect(run.stderr).not.toContain('error');
  expect(run.exitCode).toBe(0);
  expect(run.stdout.trim().split('\n')).toEqual([
    '{"id":9007199254740993,"amount":0.1000000000000000055511151231257827,"huge":1e400,"copy":9007199254740993,"digits":"9007199254740993","kind":"string"}',
    '{"id":9007199254740992,"amount":0.5,"huge":1,"copy":9007199254740992,"digits":"9007199254740992","kind":"string"}',
  ]);
});
