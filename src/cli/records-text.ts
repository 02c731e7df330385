import { parseJson } from '../json/parse-json';
import type { DataRecord } from '../record';

/**
 * The records in a text: one JSON object, a JSON list of objects, or NDJSON (one object a line, as
 * `pageflow run --dry-run` prints them). Throws an `Error` whose message says which line or record
 * is wrong.
 */
export function parseRecordsText(text: string): DataRecord[] {
  let values: unknown[];
  try {
    const value = parseJson(text);
    values = Array.isArray(value) ? value : [value];
  } catch {
    values = text.split('\n').flatMap((line, index) => {
      if (line.trim() === '') return [];
      try {
        return [parseJson(line)];
      } catch (error) {
        throw new Error(`line ${index + 1} is not JSON (${(error as Error).message}): expected a JSON object, a JSON list of objects or NDJSON`);
      }
    });
  }
  if (values.length === 0) throw new Error('it holds no record');
  const notRecord = values.findIndex((value) => value === null || typeof value !== 'object' || Array.isArray(value));
  if (notRecord >= 0) throw new Error(`record ${notRecord + 1} is not a JSON object`);
  return values as DataRecord[];
}
