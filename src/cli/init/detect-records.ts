import { readPath } from '../../sources/http/body-path';
import type { Sureness } from './sureness';

export interface DetectedRecords {
  /** Dot path of the records array; `''` when the body is the array. */
  readonly path: string;
  readonly records: readonly Record<string, unknown>[];
  readonly sureness: Sureness;
  readonly why: string;
}

// Names APIs give their list of records.
const RECORD_LIST_NAMES = new Set(['data', 'items', 'results', 'records', 'entries', 'values', 'objects', 'rows', 'list', 'elements', 'hits', 'content']);
// Laravel's page link collection (`links`, `meta.links`): a list of objects that is not the records.
const LINK_KEYS = ['url', 'label', 'active'];
const MAX_DEPTH = 3;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isLinkList = (list: readonly Record<string, unknown>[]) => list.length > 0 && list.every((item) => Object.keys(item).every((key) => LINK_KEYS.includes(key)));

/** Every list of objects in the body, a few levels deep, with its dot path. */
function objectLists(body: unknown, prefix = '', depth = 0): { path: string; list: Record<string, unknown>[] }[] {
  if (Array.isArray(body)) return body.every(isObject) ? [{ path: prefix, list: body }] : [];
  if (!isObject(body) || depth >= MAX_DEPTH) return [];
  return Object.entries(body).flatMap(([key, value]) => objectLists(value, prefix ? `${prefix}.${key}` : key, depth + 1));
}

/**
 * Where a page keeps its records: the body itself when it is a list, else the list of objects with a
 * records-like name (`data`, `items`, `results`…), else the longest list of objects. Undefined when
 * the page has no list of objects at all.
 */
export function detectRecords(body: unknown): DetectedRecords | undefined {
  const lists = objectLists(body).filter(({ list }) => !isLinkList(list));
  if (lists.length === 0) return undefined;
  const named = lists.filter(({ path }) => RECORD_LIST_NAMES.has(path.split('.').pop() ?? ''));
  const [best] = (named.length > 0 ? named : lists).sort((a, b) => a.path.split('.').length - b.path.split('.').length || b.list.length - a.list.length);
  const others = lists.filter((entry) => entry !== best).map(({ path }) => path);
  const sureness: Sureness = best.path === '' || lists.length === 1 || named.length === 1 ? 'sure' : 'likely';
  const where = best.path === '' ? 'the body is the list of records' : `"${best.path}" is ${named.includes(best) ? 'a list of objects named like records' : 'the longest list of objects'}`;
  return { path: best.path, records: readPath(body, best.path) as Record<string, unknown>[], sureness, why: `${where}${others.length > 0 ? ` (other lists: ${others.join(', ')})` : ''}` };
}

/** The records' fields, in order of first appearance. */
export function recordFields(records: readonly Record<string, unknown>[]): string[] {
  const fields = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) fields.add(key);
  return [...fields];
}
