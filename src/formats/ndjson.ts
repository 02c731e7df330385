import { stringifyJson } from '../json/stringify-json';
import type { DataRecord } from '../record';
import type { Encoder } from './encoder';

/** One JSON document per line. */
export function createNdjsonEncoder(): Encoder {
  return {
    encode(records: readonly DataRecord[]): string {
      let text = '';
      for (const record of records) text += `${stringifyJson(record)}\n`;
      return text;
    },
    end: () => '',
  };
}
