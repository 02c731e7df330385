export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export interface StderrLoggerOptions {
  readonly level?: LogLevel;
  readonly format?: 'text' | 'json';
  readonly stream?: NodeJS.WritableStream;
}

/** Logs go to stderr: stdout is reserved for records. */
export function createStderrLogger({ level = 'info', format = 'text', stream = process.stderr }: StderrLoggerOptions = {}): Logger {
  return {
    log(messageLevel, message, fields = {}) {
      if (rank[messageLevel] < rank[level]) return;
      if (format === 'json') {
        stream.write(`${JSON.stringify({ time: new Date().toISOString(), level: messageLevel, message, ...fields })}\n`);
        return;
      }
      const extra = Object.entries(fields)
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(' ');
      stream.write(`${messageLevel}: ${message}${extra ? ` (${extra})` : ''}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {} };
