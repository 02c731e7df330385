import { PageflowError } from './pageflow-error';

/** One problem found in a pipeline file. `path` is the location inside the file, e.g. `sinks[1].type`. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** A pipeline (file or code) is invalid; nothing has run. */
export class ConfigError extends PageflowError {
  override name = 'ConfigError';

  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(formatConfigIssues(file, issues), { code: 'PF_CONFIG_INVALID', exitCode: 2 });
  }
}

export function formatConfigIssues(file: string, issues: readonly ConfigIssue[]): string {
  const heading = `${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`;
  const lines = issues.map((issue) => {
    const position = issue.line === undefined ? '' : `${issue.line}:${issue.column ?? 1} `;
    return `  ${position}${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
  });
  return [heading, ...lines].join('\n');
}
