import { redact } from '../errors/redact';
import type { Logger } from '../logger';

/** Replaces every secret in a text, in the forms it travels in: plain, URL-encoded and base64. */
export type Redact = (text: string) => string;

/**
 * A job's redaction: every secret in its plain, URL-encoded and base64 forms becomes `***`. (The
 * project-wide `Redactor` of `src/errors/redact.ts` does the same once it lands; this then uses it.)
 */
export function jobRedactor(secrets: Iterable<string>): Redact {
  const forms = new Set<string>();
  for (const secret of secrets) {
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(Buffer.from(secret).toString('base64'));
    forms.add(Buffer.from(secret).toString('base64url'));
  }
  // Longest first: a secret inside another must not break the longer one's replacement.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => redact(text, ordered);
}

/** A logger that redacts each message and string field, then starts the message with `prefix` (which is not redacted). */
export function redactingLogger(logger: Logger, redactText: Redact, prefix = ''): Logger {
  return {
    log(level, message, fields) {
      const clean = fields && Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, typeof value === 'string' ? redactText(value) : value]));
      logger.log(level, `${prefix}${redactText(message)}`, clean);
    },
  };
}

/** An error's message on one line, for a job's failed reason and the `jobs` listing. */
export function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('; ');
}
