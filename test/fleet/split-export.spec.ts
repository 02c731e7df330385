import { type Piece, planParts } from '../../src/fleet/assemble-object';
import { pageRanges, partKeyTemplate, rangeDefinition, splitProblems } from '../../src/fleet/split-export';
import { parsePipeline } from '../../src/pipeline/load-pipeline';

const SPLITTABLE = `name: split
source:
  type: http
  url: https://api.example.com/v1/customers
  pagination: { type: page-number, lastPage: last_page }
sinks:
  - type: s3
    bucket: exports
    key: customers-{date}.csv
`;

const load = (text: string) => parsePipeline(text, 'split.yaml', { env: {} });
const problems = (text: string) => splitProblems(load(text)).map(({ path, message }) => `${path}: ${message}`);

describe('splitProblems', () => {
  it('accepts page-number pagination with a page count into S3 CSV or NDJSON objects', () => {
    expect(problems(SPLITTABLE)).toEqual([]);
    expect(problems(SPLITTABLE.replace('lastPage: last_page', 'total: meta.total').replace('.csv', '.ndjson'))).toEqual([]);
  });

  it.each([
    {
      name: 'next-link pagination',
      text: SPLITTABLE.replace('  pagination: { type: page-number, lastPage: last_page }\n', ''),
      expected: ['source.pagination.type: --split-pages: splits page-number pagination (page=1, 2, 3…) only; this source pages by next-link pagination'],
    },
    {
      name: 'no page count',
      text: SPLITTABLE.replace(', lastPage: last_page', ''),
      expected: ['source.pagination: --split-pages: needs the number of pages before the ranges start: set lastPage (e.g. last_page) or total on the pagination'],
    },
    {
      name: 'a file and a stdout sink',
      text: `${SPLITTABLE}  - type: file\n    path: out/customers.csv\n  - type: stdout\n`,
      expected: [
        "sinks[1].type: --split-pages: a file sink cannot be assembled from the ranges' parts: a split export writes s3 sinks only",
        "sinks[2].type: --split-pages: a stdout sink cannot be assembled from the ranges' parts: a split export writes s3 sinks only",
      ],
    },
    { name: 'gzip', text: SPLITTABLE.replace('.csv', '.csv.gz'), expected: ['sinks[0].key: --split-pages: gzip streams joined make a valid .gz file, but not the bytes of one stream: split an uncompressed export (drop .gz)'] },
    { name: 'Parquet', text: SPLITTABLE.replace('.csv', '.parquet'), expected: ['sinks[0].key: --split-pages: Parquet files cannot be joined (each has its own footer): split a CSV or NDJSON export'] },
    {
      name: 'parts per record value',
      text: SPLITTABLE.replace('customers-{date}.csv', 'customers/{record.country}.csv'),
      expected: ['sinks[0].key: --split-pages: with {part} or {record.…} in the key each range would start parts of its own: split an export to one object'],
    },
    {
      name: 'dedup',
      text: SPLITTABLE.replace('sinks:', 'transforms:\n  - dedup: id\nsinks:'),
      expected: ['transforms[0]: --split-pages: dedup drops records seen on earlier pages, and each range sees only its own pages, so a duplicate in two ranges would be written twice'],
    },
    {
      name: 'state',
      text: `${SPLITTABLE}state: { path: redis:customers }\n`,
      expected: ['state: --split-pages: the ranges run at once, and a state (cursor, lock, checkpoints) belongs to one run: split a pipeline without state:'],
    },
    {
      name: 'a CSV rejects sink without columns',
      text: `${SPLITTABLE}rejects: { type: s3, bucket: exports, key: rejects.csv }\n`,
      expected: ["rejects.columns: --split-pages: the rejects' CSV columns are found on the first rejected record, which no range knows beforehand: list them (columns: [record, step, error, page])"],
    },
  ])('refuses $name', ({ text, expected }) => {
    expect(problems(text)).toEqual(expected);
  });
});

describe('pageRanges', () => {
  it.each([
    { name: 'even', first: 1, last: 400, size: 100, expected: [[1, 100], [101, 200], [201, 300], [301, 400]] },
    { name: 'a shorter last range', first: 1, last: 250, size: 100, expected: [[1, 100], [101, 200], [201, 250]] },
    { name: 'pages from 0', first: 0, last: 4, size: 2, expected: [[0, 1], [2, 3], [4, 4]] },
    { name: 'one page', first: 1, last: 1, size: 200, expected: [[1, 1]] },
  ])('$name', ({ first, last, size, expected }) => {
    expect(pageRanges(first, last, size)).toEqual(expected.map(([from, to]) => ({ from, to })));
  });
});

describe('rangeDefinition', () => {
  it('points every sink at its part object in the final format, giving CSV sinks that find their columns the first page\'s', () => {
    const definition = load(`${SPLITTABLE}    unknownColumns: drop
  - type: s3
    bucket: exports
    key: fixed.csv
    columns: [id]
  - type: s3
    bucket: exports
    key: all.jsonl
`);
    const ranged = rangeDefinition(definition, 'RUN', { part: 3, columns: ['id', 'name'] });
    expect(ranged.sinks).toEqual([
      expect.objectContaining({ key: partKeyTemplate('customers-{date}.csv', 'RUN', 3), format: 'csv', columns: ['id', 'name'] }),
      expect.objectContaining({ key: 'fixed.csv.split-RUN/00003', format: 'csv', columns: ['id'] }),
      expect.objectContaining({ key: 'all.jsonl.split-RUN/00003', format: 'ndjson' }),
    ]);
    // The range checks the records against the columns itself, as the encoder would have.
    expect(ranged.sinks[0]).not.toHaveProperty('unknownColumns');
    expect(ranged.sinks[0].key).toBe('customers-{date}.csv.split-RUN/00003');
  });
});

describe('planParts', () => {
  const limits = { min: 10, max: 25 };
  const piece = (key: string, start: number, end: number): Piece => ({ key, start, end });
  const sizes = (parts: ReturnType<typeof planParts>) => parts.map((part) => ('copy' in part ? part.copy.end - part.copy.start : part.upload.reduce((sum, each) => sum + each.end - each.start, 0)));

  it.each([
    { name: 'large pieces are copied', pieces: [piece('a', 0, 12), piece('b', 3, 20)], expected: [{ copy: piece('a', 0, 12) }, { copy: piece('b', 3, 20) }] },
    { name: 'a piece over the maximum is copied in even chunks', pieces: [piece('a', 0, 60)], expected: [{ copy: piece('a', 0, 20) }, { copy: piece('a', 20, 40) }, { copy: piece('a', 40, 60) }] },
    { name: 'small pieces are uploaded together', pieces: [piece('a', 0, 4), piece('b', 2, 5), piece('c', 0, 2)], expected: [{ upload: [piece('a', 0, 4), piece('b', 2, 5), piece('c', 0, 2)] }] },
    {
      name: 'small pieces fill a part to the minimum exactly',
      pieces: [piece('a', 0, 4), piece('b', 2, 6), piece('c', 0, 3)],
      expected: [{ upload: [piece('a', 0, 4), piece('b', 2, 6), piece('c', 0, 2)] }, { upload: [piece('c', 2, 3)] }],
    },
    {
      name: 'small pieces are topped up from the next large one, whose rest is copied',
      pieces: [piece('a', 0, 4), piece('b', 0, 30)],
      expected: [{ upload: [piece('a', 0, 4), piece('b', 0, 6)] }, { copy: piece('b', 6, 30) }],
    },
    {
      name: 'a rest too small to copy starts the next upload',
      pieces: [piece('a', 0, 4), piece('b', 0, 12), piece('c', 0, 2)],
      expected: [{ upload: [piece('a', 0, 4), piece('b', 0, 6)] }, { upload: [piece('b', 6, 12), piece('c', 0, 2)] }],
    },
    { name: 'empty pieces are skipped', pieces: [piece('a', 5, 5), piece('b', 0, 0)], expected: [] },
  ])('$name', ({ pieces, expected }) => {
    const parts = planParts(pieces, limits);
    expect(parts).toEqual(expected);
    const partSizes = sizes(parts);
    expect(partSizes.slice(0, -1).every((size) => size >= limits.min)).toBe(true);
    expect(partSizes.every((size) => size <= limits.max)).toBe(true);
  });

  it('keeps every byte in order, every part but the last at least the minimum, for any mix of sizes', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (let round = 0; round < 200; round += 1) {
      const pieces = Array.from({ length: 1 + random(8) }, (_, index) => {
        const start = random(5);
        return piece(`k${index}`, start, start + random(70));
      });
      const parts = planParts(pieces, limits);
      const bytes = (list: readonly Piece[]) => list.flatMap(({ key, start, end }) => Array.from({ length: Math.max(0, end - start) }, (_, offset) => `${key}:${start + offset}`));
      expect(parts.flatMap((part) => bytes('copy' in part ? [part.copy] : part.upload))).toEqual(bytes(pieces));
      const partSizes = sizes(parts);
      expect(partSizes.slice(0, -1).filter((size) => size < limits.min)).toEqual([]);
      expect(partSizes.filter((size) => size > limits.max)).toEqual([]);
    }
  });
});
