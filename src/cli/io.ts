import type { Readable, Writable } from 'node:stream';
import { createStderrLogger, type LogFormat, type Logger, type LogLevel } from '../logger';
import { type StatusOutput, StderrStatus } from './progress';

/** What a command works with: records go to `stdout`, everything for people to `stderr`. */
export interface CliIo {
  /** Where `eval` reads records from when no file is named. */
  readonly stdin: Readable & { readonly isTTY?: boolean };
  readonly stdout: Writable;
  readonly stderr: StatusOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Log lines, at the level and in the format the operator chose (`--verbose`, `--quiet`, `--log-format`). */
  readonly logger: Logger;
  /** The same format whatever the level: what every run reports, its summary line and its error. */
  readonly report: Logger;
}

export interface LogSettings {
  readonly level: LogLevel;
  readonly format: LogFormat;
}

/** The AWS SDK's warning about the Node versions its future releases support (`NodeVersionSupportWarning`). */
const AWS_SDK_NODE_NOTICE = /^NodeVersionSupportWarning\b|AWS SDK for JavaScript \(v3\).*\bnode\b/i;

/** The real process: stdout, stderr (with a progress line on a terminal) and the environment. */
export function processIo({ level, format }: LogSettings): CliIo {
  const stderr = new StderrStatus(process.stderr);
  // Colour only for people at a terminal that wants it (hasColors honours NO_COLOR and FORCE_COLOR).
  const color = format === 'text' && process.stderr.isTTY && process.stderr.hasColors();
  const logger = createStderrLogger({ level, format, stream: stderr, color });
  // Node prints process warnings as blocks of free text that break the progress line and JSON logs:
  // make them one log line like any other. The AWS SDK's notice that a later SDK will need a newer
  // Node says nothing about this run: debug only, once.
  let sdkNoticeLogged = false;
  process.removeAllListeners('warning').on('warning', (warning) => {
    const message = warning.message.replace(/\s+/g, ' ').trim();
    if (!AWS_SDK_NODE_NOTICE.test(message)) return logger.log('warn', message);
    if (!sdkNoticeLogged) logger.log('debug', message);
    sdkNoticeLogged = true;
  });
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr,
    env: process.env,
    logger,
    report: createStderrLogger({ level: 'debug', format, stream: stderr, color }),
  };
}
