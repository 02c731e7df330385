import type { DataRecord } from '../record';
import type { Encoder } from './encoder';

/** One JSON document per line. */
export function createNdjsonEncoder(): Encoder {
  return {
    encode(records: readonly DataRecord[]): string {
      let text = '';
      for (const record of records) text += `${JSON.stringify(record)}\n`;
      return text;
    },
    end: () => '',
  };
}
