import { defer, map, type MonoTypeOperatorFunction, tap } from 'rxjs';
import { z } from 'zod';
import { watchPaths } from '../expressions/unmatched-paths';
import type { Logger } from '../logger';
import { defineOperator } from '../pipeline/component';
import type { DataRecord } from '../record';
import { readPath, removePath, splitPath } from './record-fields';

export interface FieldStepOptions {
  /** Warned at about fields that none of the first records has (a typo?). */
  readonly logger?: Logger;
}

/**
 * Removes fields and keeps the rest. Each is a dot path (`address.zipCode` removes it from the nested
 * object); a field the record does not have is no error. The input record is not changed.
 *
 * @example
 * records$.pipe(omitFields(['internalNotes', 'address.zipCode']))
 */
export function omitFields(fields: readonly string[], { logger }: FieldStepOptions = {}): MonoTypeOperatorFunction<DataRecord> {
  if (fields.length === 0) throw new RangeError('omitFields needs at least one field');
  const paths = fields.map((field) => ({ field, parts: checkedPath('omitFields', field) }));
  return (records$) =>
    defer(() => {
      const watch = watchPaths(paths.map(({ field }, index) => ({ index, text: field })), 'omit', logger);
      return records$.pipe(
        map((record) => {
          watch?.see(paths.map(({ parts }) => readPath(record, parts)));
          return paths.reduce((output, { parts }) => removePath(output, parts), record);
        }),
        tap({ complete: () => watch?.end() }),
      );
    });
}

/** The parts of a dot path given in code; an empty part is an error at creation. */
export function checkedPath(operator: string, path: string): string[] {
  const parts = splitPath(path);
  if (parts.includes('')) throw new RangeError(`${operator}: "${path}" is not a field path (an empty name between dots)`);
  return parts;
}

/** A dot path of a field in a pipeline file: names between dots, none empty. */
export const fieldPathConfig = z
  .string()
  .min(1)
  .refine((path) => !path.split('.').includes(''), { error: (issue) => `expected a field path such as address.city, got ${JSON.stringify(issue.input)}` });

export const omitOperator = defineOperator({
  type: 'omit',
  summary: 'Removes fields (dot paths) and keeps the rest of each record.',
  config: z
    .array(fieldPathConfig)
    .min(1, 'expected at least one field')
    .meta({ description: 'Dot paths of the fields to remove: `address.zipCode` removes it from `address`.', examples: [['internalNotes', 'address.zipCode']] }),
  create: (fields, { logger }) => omitFields(fields, { logger }),
});
