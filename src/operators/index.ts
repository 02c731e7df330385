export { dedupBy, dedupOperator, type DedupOptions } from './dedup-by';
export { filterWhere, filterOperator } from './filter-where';
export { mapFields, mapOperator } from './map-fields';
