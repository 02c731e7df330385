import { stringifyJson } from '../json/stringify-json';
import type { DataRecord } from '../record';
import { EMPTY_BYTES, type Encoder } from './encoder';

/** One JSON document per line. */
export function createNdjsonEncoder(): Encoder {
  return {
    encode(records: readonly DataRecord[]): Uint8Array {
      let text = '';
      for (const record of records) text += `${stringifyJson(record)}\n`;
      return text ? Buffer.from(text) : EMPTY_BYTES;
    },
    end: () => EMPTY_BYTES,
    position: () => ({}),
  };
}
