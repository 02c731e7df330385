import { dedupOperator } from '../operators/dedup-by';
import { explodeOperator } from '../operators/explode-field';
import { filterOperator } from '../operators/filter-where';
import { flattenOperator } from '../operators/flatten-record';
import { mapOperator } from '../operators/map-fields';
import { omitOperator } from '../operators/omit-fields';
import { renameOperator } from '../operators/rename-fields';
import { requestOperator } from '../operators/request-children';
import { setOperator } from '../operators/set-fields';
import { validateOperator } from '../operators/validate-records';
import { fileSink } from '../sinks/file-sink';
import { s3Sink } from '../sinks/s3-sink';
import { stdoutSink } from '../sinks/stdout-sink';
import { httpSource } from '../sources/http/http-source';
import { ComponentRegistry } from './registry';

/** Every built-in component, in one visible list. Each call returns a fresh registry to extend. */
export function createDefaultRegistry(): ComponentRegistry {
  return new ComponentRegistry()
    .register(httpSource)
    .register(dedupOperator)
    .register(filterOperator)
    .register(mapOperator)
    .register(setOperator)
    .register(omitOperator)
    .register(renameOperator)
    .register(flattenOperator)
    .register(explodeOperator)
    .register(validateOperator)
    .register(requestOperator)
    .register(fileSink)
    .register(s3Sink)
    .register(stdoutSink);
}
