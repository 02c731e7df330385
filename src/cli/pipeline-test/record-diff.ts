import { stringifyJson } from '../../json/stringify-json';
import type { DataRecord } from '../../record';

/** Differences shown per failing sink; the rest are counted. */
const MAX_SHOWN = 10;
/** Above this many record pairs the records are compared position by position instead of aligned. */
const MAX_ALIGNED = 4_000_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A record as it would be written as JSON (undefined fields left out, exact numbers as their digits). */
const asJson = (record: DataRecord) => JSON.parse(stringifyJson(record)) as { [key: string]: Json };

/** JSON text with keys sorted: records with the same fields in another order are equal. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A readable diff of the records a sink received against those expected, or undefined when they
 * are equal (same records, same order; field order aside). Records are aligned, so that one
 * missing record shows as one line, not as every record after it differing; a changed record
 * shows which fields differ.
 */
export function diffRecords(expected: readonly DataRecord[], received: readonly DataRecord[]): string[] | undefined {
  const a = expected.map(asJson);
  const b = received.map(asJson);
  const keysA = a.map(canonical);
  const keysB = b.map(canonical);
  const operations = align(keysA, keysB);
  if (operations.every((operation) => operation.type === 'same')) return undefined;

  const lines: string[] = [`${count(a.length)} expected, ${count(b.length)} received:`];
  let shown = 0;
  let hidden = 0;
  const show = (...entry: string[]) => {
    if (shown < MAX_SHOWN) lines.push(...entry);
    else hidden += 1;
    shown += 1;
  };
  for (let index = 0; index < operations.length; ) {
    if (operations[index].type === 'same') {
      index += 1;
      continue;
    }
    // A run of changes: pair the records missing with those not expected, as changed records.
    const missing: number[] = [];
    const extra: number[] = [];
    for (; index < operations.length && operations[index].type !== 'same'; index += 1) {
      const operation = operations[index];
      if (operation.type === 'missing') missing.push(operation.at);
      if (operation.type === 'extra') extra.push(operation.at);
    }
    const pairs = Math.min(missing.length, extra.length);
    for (let pair = 0; pair < pairs; pair += 1) {
      show(`  ~ record ${extra[pair] + 1} differs: ${fieldDifferences(a[missing[pair]], b[extra[pair]]).join('; ')}`, `      expected ${stringifyJson(a[missing[pair]])}`, `      received ${stringifyJson(b[extra[pair]])}`);
    }
    for (const at of missing.slice(pairs)) show(`  - missing (expected record ${at + 1}): ${stringifyJson(a[at])}`);
    for (const at of extra.slice(pairs)) show(`  + not expected (record ${at + 1}): ${stringifyJson(b[at])}`);
  }
  if (hidden > 0) lines.push(`  … and ${hidden} more difference${hidden === 1 ? '' : 's'}`);
  return lines;
}

const count = (n: number) => `${n} record${n === 1 ? '' : 's'}`;

function fieldDifferences(expected: { [key: string]: Json }, received: { [key: string]: Json }): string[] {
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(received)])];
  return keys.flatMap((key) => {
    const inExpected = Object.hasOwn(expected, key);
    const inReceived = Object.hasOwn(received, key);
    if (!inReceived) return [`${key}: expected ${stringifyJson(expected[key])}, missing`];
    if (!inExpected) return [`${key}: not expected, received ${stringifyJson(received[key])}`];
    if (canonical(expected[key]) === canonical(received[key])) return [];
    return [`${key}: expected ${stringifyJson(expected[key])}, received ${stringifyJson(received[key])}`];
  });
}

type Operation = { type: 'same' } | { type: 'missing'; at: number } | { type: 'extra'; at: number };

/** The longest common subsequence of two lists of record texts, as a list of operations. */
function align(a: readonly string[], b: readonly string[]): Operation[] {
  if (a.length * b.length > MAX_ALIGNED) return byPosition(a, b);
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) lengths[i][j] = a[i] === b[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
  }
  const operations: Operation[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      operations.push({ type: 'same' });
      i += 1;
      j += 1;
    } else if (j < b.length && (i === a.length || lengths[i][j + 1] >= lengths[i + 1][j])) {
      operations.push({ type: 'extra', at: j });
      j += 1;
    } else {
      operations.push({ type: 'missing', at: i });
      i += 1;
    }
  }
  return operations;
}

function byPosition(a: readonly string[], b: readonly string[]): Operation[] {
  return Array.from({ length: Math.max(a.length, b.length) }, (_, index): Operation[] => {
    if (index >= b.length) return [{ type: 'missing', at: index }];
    if (index >= a.length) return [{ type: 'extra', at: index }];
    return a[index] === b[index] ? [{ type: 'same' }] : [{ type: 'missing', at: index }, { type: 'extra', at: index }];
  }).flat();
}
