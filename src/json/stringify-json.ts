import { randomBytes } from 'node:crypto';
import { jsonTagging } from './exact-number';

let prefix = newPrefix();

/**
 * Writes one value as JSON text: every encoder and message that writes records as JSON goes through
 * here. An `ExactNumber` is written as its bare digits (`12345678901234567890`, `1e400`).
 */
export function stringifyJson(value: unknown): string {
  for (;;) {
    jsonTagging.prefix = prefix;
    jsonTagging.count = 0;
    let text: string;
    try {
      text = JSON.stringify(value);
    } finally {
      jsonTagging.prefix = undefined;
    }
    if (jsonTagging.count === 0) return text;
    let replaced = 0;
    const untagged = text.replace(new RegExp(`"\\\\u0000${prefix.slice(1)}([^"]*)"`, 'g'), (_tagged, digits: string) => {
      replaced += 1;
      return digits;
    });
    if (replaced === jsonTagging.count) return untagged;
    // A string of the value held the tag: it can't hold a fresh random one as well.
    prefix = newPrefix();
  }
}

function newPrefix(): string {
  return `\u0000${randomBytes(8).toString('hex')}:`;
}
