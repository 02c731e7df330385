import { ExactNumber } from '../json/exact-number';
import { stringifyJson } from '../json/stringify-json';

// In a `u` regular expression a surrogate pair is one code point, so this finds only lone surrogates.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * One well-formed string per dedup key, different for keys that differ, with the equality a Set
 * gives primitives: `1` and `"1"` differ, `-0` and `0` are one key, `NaN` equals `NaN`; arrays and
 * objects compare by their JSON text. An `ExactNumber` is a number keyed by its digits:
 * `9007199254740993` and `9007199254740992` differ. Well-formed strings that don't start with NUL are
 * themselves; everything else gets a NUL and a type tag, so no two kinds of key can meet. Strings with lone
 * surrogates go through JSON, which escapes them where UTF-8 would turn them all into U+FFFD.
 */
export function canonicalKey(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return key.charCodeAt(0) !== 0 && !LONE_SURROGATE.test(key) ? key : `\0"${JSON.stringify(key)}`;
    case 'number':
      // `String` maps -0 to "0" and NaN to "NaN".
      return `\0n${String(key)}`;
    case 'bigint':
      return `\0b${String(key)}`;
    case 'boolean':
      return key ? '\0t' : '\0f';
    case 'undefined':
      return '\0u';
    default:
      if (key === null) return '\0l';
      return key instanceof ExactNumber ? `\0n${key.text}` : `\0o${stringifyJson(key)}`;
  }
}
