/**
 * The CLI's commands, in the order its usage error names them. The launcher (main.ts) keeps one
 * compile cache per command and reads this list without loading the bundle.
 */
export const COMMAND_NAMES = ['init', 'check', 'run', 'validate', 'list', 'test', 'record', 'eval', 'state', 'schema', 'demo', 'worker', 'enqueue', 'jobs'] as const;

/** Commands yargs adds itself. */
export const BUILT_IN_COMMAND_NAMES = ['completion'] as const;
