import { replaceExactNumbers } from '../json/replace-exact-numbers';
import type { DataRecord } from '../record';

/** What JSONata is given: the record, with each `ExactNumber` as its digits in a string (JSONata has no exact numbers). */
export function jsonataInput(record: DataRecord): unknown {
  return replaceExactNumbers(record, (exact) => exact.text);
}

/**
 * A value JSONata computed, made of this realm's arrays and objects: those it builds belong to its
 * sandbox's realm (where `instanceof Array` fails; its objects may have no prototype), and its arrays carry
 * bookkeeping properties (`sequence`). Values taken from the record come back as they are.
 */
export function fromSandbox(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype ? value : Array.from(value, fromSandbox);
  const prototype: unknown = Object.getPrototypeOf(value);
  // JSONata's objects have no prototype, or that of its realm's Object.prototype: copied. Others (the record's) are left alone.
  if (prototype !== null && (prototype === Object.prototype || Object.getPrototypeOf(prototype) !== null)) return value;
  const copy: DataRecord = {};
  for (const key of Object.keys(value)) {
    Object.defineProperty(copy, key, { value: fromSandbox((value as DataRecord)[key]), writable: true, enumerable: true, configurable: true });
  }
  return copy;
}
