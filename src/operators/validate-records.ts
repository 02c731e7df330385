import type { default as Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import type Ajv2019 from 'ajv/dist/2019';
import type Ajv2020 from 'ajv/dist/2020';
import type addFormats from 'ajv-formats';
import { defer, filter, map, type MonoTypeOperatorFunction } from 'rxjs';
import { z } from 'zod';
import { ConfigError } from '../errors/config-error';
import { PageflowError } from '../errors/pageflow-error';
import { previewRecord } from '../expressions/expression-error';
import { replaceExactNumbers } from '../json/replace-exact-numbers';
import type { Logger } from '../logger';
import { defineOperator, type RejectChannel } from '../pipeline/component';
import type { DataRecord } from '../record';
import { SKIP } from './expression-step';
import { loadJsonSchema } from './load-json-schema';

export type OnInvalid = 'fail' | 'drop' | 'reject';

export interface ValidateOptions {
  /** A record that does not match: end the run, drop it, or send it to `rejects`. @default 'fail' */
  readonly onInvalid?: OnInvalid;
  /** Where invalid records go; required with `onInvalid: 'reject'`. */
  readonly rejects?: RejectChannel;
  /** Names the schema in messages (its file). @default 'the schema' */
  readonly schemaName?: string;
  /** Gets Ajv's warnings about the schema. */
  readonly logger?: Logger;
}

/** A record does not match the JSON Schema of a `validate` step. */
export class RecordInvalidError extends PageflowError {
  override name = 'RecordInvalidError';

  constructor(
    readonly schema: string,
    /** 1 for the first record that reached the step in this run. */
    readonly recordNumber: number,
    readonly record: DataRecord,
    /** What Ajv found: where in the record, and what it expected. */
    readonly problems: readonly { readonly path: string; readonly message: string }[],
  ) {
    const found = problems.map(({ path, message }) => `${path || 'the record'} ${message}`).join('; ');
    super(`validate: record ${recordNumber.toLocaleString('en-US')} (${previewRecord(record)}) does not match ${schema}: ${found}`, { code: 'PF_RECORD_INVALID' });
  }
}

// Ajv is loaded when a validate step compiles its schema: runs and checks without one never pay for it.
const DRAFTS = [
  { marker: '2020-12', load: (): typeof Ajv2020 => require('ajv/dist/2020').default },
  { marker: '2019-09', load: (): typeof Ajv2019 => require('ajv/dist/2019').default },
];
const loadDraft7 = (): typeof Ajv => require('ajv').default;

/**
 * Checks each record against a JSON Schema (Ajv; drafts 7, 2019-09 and 2020-12, by the schema's
 * `$schema`, draft 7 when it has none; `format`s as ajv-formats knows them). Only a record's own
 * properties count. Numbers kept exact (`ExactNumber`) are checked as the nearest JavaScript number.
 *
 * A record that does not match ends the stream with a `RecordInvalidError` naming the record and what
 * it lacks, is dropped, or goes to `options.rejects`, as `onInvalid` says. A schema Ajv cannot compile
 * (an unknown keyword or format, a broken `$ref`) throws when the operator is created.
 *
 * @example
 * records$.pipe(validateRecords({ type: 'object', required: ['id'] }, { onInvalid: 'drop' }))
 */
export function validateRecords(schema: object, options: ValidateOptions = {}): MonoTypeOperatorFunction<DataRecord> {
  const { onInvalid = 'fail', rejects, schemaName = 'the schema', logger } = options;
  if (!['fail', 'drop', 'reject'].includes(onInvalid)) throw new RangeError(`validateRecords: onInvalid must be fail, drop or reject, got ${JSON.stringify(onInvalid)}`);
  if (onInvalid === 'reject' && !rejects) throw new TypeError('validate: onInvalid "reject" needs a rejects channel (a `rejects:` sink in the pipeline)');
  const check = compileSchema(schema, logger);
  return (records$) =>
    defer(() => {
      let seen = 0;
      return records$.pipe(
        map((record) => {
          seen += 1;
          if (check(replaceExactNumbers(record, (exact) => Number(exact.text)))) return record;
          const problems = (check.errors ?? []).map(describeProblem);
          const error = new RecordInvalidError(schemaName, seen, record, problems);
          if (onInvalid === 'fail') throw error;
          if (onInvalid === 'reject') rejects!.reject(record, 'validate', error);
          return SKIP;
        }),
        filter((record): record is DataRecord => record !== SKIP),
      );
    });
}

function compileSchema(schema: object, logger: Logger | undefined): ValidateFunction {
  const declared = (schema as { $schema?: unknown }).$schema;
  const Class = (DRAFTS.find(({ marker }) => typeof declared === 'string' && declared.includes(marker))?.load ?? loadDraft7)();
  const warn = (...parts: unknown[]) => logger?.log('warn', `validate: ${parts.join(' ')}`);
  const options: Options = { allErrors: false, ownProperties: true, logger: { log: () => {}, warn, error: warn } };
  const ajv = new Class(options);
  const addFormatsTo: typeof addFormats = require('ajv-formats').default;
  addFormatsTo(ajv);
  return ajv.compile(schema);
}

function describeProblem(error: ErrorObject): { path: string; message: string } {
  return { path: error.instancePath, message: error.message ?? error.keyword };
}

export const validateOperator = defineOperator({
  type: 'validate',
  summary: 'Checks each record against a JSON Schema file (Ajv); invalid records fail the run, are dropped or rejected.',
  config: z
    .union([
      z.string().min(1),
      z.strictObject({
        schema: z.string().min(1).meta({ description: 'The JSON Schema file, relative to the pipeline file.', examples: ['schemas/customer.json'] }),
        onInvalid: z
          .enum(['fail', 'drop', 'reject'])
          .default('fail')
          .meta({ description: 'A record that does not match: `fail` ends the run, `drop` leaves it out, `reject` sends it to the `rejects:` sink.' }),
      }),
    ])
    .meta({ description: 'The schema file, or `{ schema, onInvalid }`.', examples: ['schemas/customer.json', { schema: 'schemas/customer.json', onInvalid: 'reject' }] }),
  usesRejects: (config) => typeof config !== 'string' && config.onInvalid === 'reject',
  create: (config, { pipelineDir, rejects, logger }) => {
    const { schema: path, onInvalid } = typeof config === 'string' ? { schema: config, onInvalid: 'fail' as const } : config;
    const { file, schema } = loadJsonSchema(path, pipelineDir);
    try {
      return validateRecords(schema, { onInvalid, rejects, schemaName: file, logger });
    } catch (error) {
      if (error instanceof TypeError) throw error;
      throw new ConfigError(file, [{ path: '', message: `not a usable JSON Schema: ${(error as Error).message}` }]);
    }
  },
});
