import { styleText } from 'node:util';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';

export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  /** False when lines of `level` are dropped: lets a caller skip building a line per request. Absent: assume written. */
  enabled?(level: LogLevel): boolean;
}

/** Where log lines are written: a stream, or anything else that takes text (the CLI's stderr with its progress line). */
export interface TextOutput {
  write(text: string): unknown;
}

export interface StderrLoggerOptions {
  /** The least severe level written. @default 'info' */
  readonly level?: LogLevel;
  /** `text` for people, `json` for one JSON object per line. @default 'text' */
  readonly format?: LogFormat;
  readonly stream?: TextOutput;
  /** Colour the level of text lines, for a terminal. @default false */
  readonly color?: boolean;
}

const levelStyle: Record<LogLevel, Parameters<typeof styleText>[0]> = { debug: 'gray', info: 'cyan', warn: 'yellow', error: 'red' };

/** Logs go to stderr: stdout is reserved for records. */
export function createStderrLogger({ level = 'info', format = 'text', stream = process.stderr, color = false }: StderrLoggerOptions = {}): Logger {
  return {
    enabled: (messageLevel) => rank[messageLevel] >= rank[level],
    log(messageLevel, message, fields = {}) {
      if (rank[messageLevel] < rank[level]) return;
      if (format === 'json') {
        stream.write(`${JSON.stringify({ time: new Date().toISOString(), level: messageLevel, message, ...fields })}\n`);
        return;
      }
      // A field the message already spells out (the page URL in a source error) is not repeated.
      const extra = Object.entries(fields)
        .map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)] as const)
        .filter(([, text]) => text !== undefined && !message.includes(text))
        .map(([key, text]) => `${key}=${text}`)
        .join(' ');
      // Whether to colour is decided once, by the caller (`color`), not per line by styleText.
      const label = color ? styleText(levelStyle[messageLevel], messageLevel, { validateStream: false }) : messageLevel;
      stream.write(`${label}: ${message}${extra ? ` (${extra})` : ''}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {}, enabled: () => false };
