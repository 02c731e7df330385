import { ExactNumber } from '../json/exact-number';
import type { DataRecord } from '../record';

// Results collected from the elements of an array: unlike an array value, they are flattened into the path's results.
class Sequence extends Array<unknown> {}

/**
 * A record's own property `key`, or undefined: inherited names (`constructor`, `toString`) are not
 * fields, and a key named `__proto__` is read like any other.
 */
export function ownValue(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as DataRecord)[key] : undefined;
}

/**
 * Compiles a dotted field path (`companyName`, `address.city`, `lines.sku`) to a function that reads
 * it from a record as JSONata would, without JSONata's per-record cost: a step over an array
 * collects that field from every element (flattened), a single result stands for itself, and a
 * missing field is `undefined`. Only own properties are read, and an `ExactNumber` is a value, not
 * an object with fields.
 */
export function compileFieldPath(parts: readonly string[]): (record: DataRecord) => unknown {
  if (parts.length === 1) {
    const [key] = parts;
    return (record) => ownValue(record, key);
  }
  return (record) => {
    let inputs: unknown[] = [record];
    for (let step = 0; step < parts.length; step += 1) {
      const results: unknown[] = [];
      for (const input of inputs) {
        const value = lookup(input, parts[step]);
        if (value !== undefined) results.push(value);
      }
      // An array that is the value of the last field read is a value in its own right, not a list of results.
      if (step === parts.length - 1 && results.length === 1 && Array.isArray(results[0]) && !(results[0] instanceof Sequence)) {
        return results[0];
      }
      inputs = results.flatMap((value) => (Array.isArray(value) ? value : [value]));
      if (inputs.length === 0) return undefined;
    }
    return inputs.length === 1 ? inputs[0] : inputs;
  };
}

function lookup(input: unknown, key: string): unknown {
  if (Array.isArray(input)) {
    const results = new Sequence();
    for (const element of input) {
      const value = lookup(element, key);
      if (Array.isArray(value)) results.push(...value);
      else if (value !== undefined) results.push(value);
    }
    return results;
  }
  return input !== null && typeof input === 'object' && !(input instanceof ExactNumber) ? ownValue(input, key) : undefined;
}
