import { PageflowError } from './pageflow-error';

/** One problem found in a pipeline file. `path` is the location inside the file, e.g. `sinks[1].type`. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /** What put the value there when it is not a line of the file, e.g. `--set sinks[0].format`: shown in place of line:column. */
  readonly origin?: string;
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

export function formatConfigIssues(file: string, issues: readonly ConfigIssue[], noun = 'problem'): string {
  const heading = `${file}: ${issues.length} ${noun}${issues.length === 1 ? '' : 's'}`;
  const lines = issues.map((issue) => {
    if (issue.origin) {
      // `--set sinks[0].format: …`, or `--set sinks[1] → sinks[1].path: …` for a problem inside what it set.
      const inside = issue.path && !issue.origin.endsWith(` ${issue.path}`) ? ` → ${issue.path}` : '';
      return `  ${issue.origin}${inside}: ${issue.message}`;
    }
    const position = issue.line === undefined ? '' : `${issue.line}:${issue.column ?? 1} `;
    return `  ${position}${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
  });
  return [heading, ...lines].join('\n');
}
