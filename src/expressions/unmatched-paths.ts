import type { Logger } from '../logger';

/** How many records a field path has to show up in before a warning says none had it. */
export const UNMATCHED_SAMPLE = 1000;

export interface WatchedPath {
  /** Where its value is in the rows given to `see`. */
  readonly index: number;
  readonly text: string;
  /** The output field it fills, if any. */
  readonly field?: string;
}

/** Sees each record's values; warns once per path that none of the first records had. */
export interface PathWatch {
  see(row: readonly unknown[]): void;
  /** The stream ended (or was cut short): a path that none of its (fewer) records had is warned about now. */
  end(): void;
}

/**
 * A field path that none of the first 1,000 records has (`customer.nmae`) is most likely misspelt:
 * it is warned about once, when the 1,000th record has been seen or, for shorter runs, at the end.
 * A path counts as had once any record gives it a value other than `undefined` (`null` counts).
 */
export function watchPaths(paths: readonly WatchedPath[], step: string, logger: Logger | undefined, sample = UNMATCHED_SAMPLE): PathWatch | undefined {
  if (!logger || paths.length === 0) return undefined;
  const unmatched = new Set(paths);
  let seen = 0;
  // `scope` says which records, ending in "has a field" or "has no field".
  const report = (scope: string) => {
    for (const { text, field } of unmatched) {
      const target = field === undefined || field === text ? '' : ` (for ${JSON.stringify(field)})`;
      logger.log('warn', `${step}: ${scope} "${text}"${target}; is it spelled right?`, { step, path: text });
    }
    unmatched.clear();
  };
  return {
    see(row) {
      if (unmatched.size === 0) return;
      seen += 1;
      for (const path of unmatched) if (row[path.index] !== undefined) unmatched.delete(path);
      if (seen === sample) report(`none of the first ${sample.toLocaleString('en-US')} records has a field`);
    },
    end() {
      if (seen > 0 && seen < sample) report(seen === 1 ? 'the only record has no field' : `none of the ${seen.toLocaleString('en-US')} records has a field`);
    },
  };
}
