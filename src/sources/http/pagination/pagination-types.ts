import { z } from 'zod';
import { cursorPagination } from './cursor';
import { linkHeaderPagination } from './link-header';
import { nextLinkPagination } from './next-link';
import { offsetPagination } from './offset';
import { pageNumberPagination } from './page-number';
import type { PaginationDeps, PaginationType, Paginator } from './paginator';

/** Every pagination strategy, selected by `pagination.type`: adding one is its file plus a line here. */
const PAGINATION_TYPES = [nextLinkPagination, linkHeaderPagination, pageNumberPagination, offsetPagination, cursorPagination] as const;

type ConfigsOf<T extends readonly PaginationType[]> = { -readonly [K in keyof T]: T[K]['config'] };
const configsOf = <T extends readonly PaginationType[]>(types: T) => types.map((pagination) => pagination.config) as ConfigsOf<T>;

export const paginationConfig = z
  .discriminatedUnion('type', configsOf(PAGINATION_TYPES))
  .prefault({ type: 'next-link' })
  .meta({ description: 'How the pages follow each other (see Pagination); the end is always explicit.' });

export type PaginationConfig = z.output<typeof paginationConfig>;

function paginationTypeOf(config: PaginationConfig): PaginationType<z.ZodType<PaginationConfig>> {
  const found = PAGINATION_TYPES.find((pagination) => pagination.type === config.type);
  if (!found) throw new Error(`pagination type "${config.type}" is not registered`); // the schema has ruled it out
  return found;
}

export function createPaginator(config: PaginationConfig, deps: PaginationDeps): Paginator {
  return paginationTypeOf(config).create(config, deps);
}
