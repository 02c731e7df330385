import type { Logger } from '../logger';

/** What a secret becomes in output. */
export const REDACTED = '***';

// Shorter values would also match ordinary text: `id`, `on`, `1`.
const MIN_SECRET_LENGTH = 4;
// A base64 fragment taken from the middle of a longer encoding is only trusted from this length on.
const MIN_FRAGMENT_LENGTH = 8;

// Words that make a parameter or JSON key name a credential: `access_token`, `apiKey`, `X-Amz-Signature`, `sig`, `auth`.
const CREDENTIAL_WORDS = new Set([
  'token', 'key', 'apikey', 'secret', 'password', 'passwd', 'pwd', 'pass', 'passphrase', 'signature', 'sig', 'auth',
  'authorization', 'credential', 'credentials', 'session', 'sessionid', 'sid', 'jwt', 'bearer', 'hmac', 'otp',
  'accesstoken', 'authtoken', 'sessiontoken', 'refreshtoken', 'secretkey', 'accesskey', 'privatekey', 'clientsecret',
]);

/** True when a query parameter or field named `name` holds a credential, by the words in its name. */
export function isCredentialName(name: string): boolean {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((word) => CREDENTIAL_WORDS.has(word));
}

// `scheme://user:password@` (userinfo may itself hold a raw `@`; it ends before the first / ? #).
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>]*@/gi;
// `?name=value` / `&name=value` anywhere: in absolute and relative URLs, and in server text quoting them.
// A value ends at a parenthesis too: messages put URLs in them (`page 2 (https://…?token=…): …`).
const QUERY_PARAMETER = /([?&;])([^=&#\s"'<>?()]+)=([^&#\s"'<>()]*)/g;
// `"name": "value"` in JSON a server echoed.
const JSON_MEMBER = /("([^"\\]{1,64})"\s*:\s*)"((?:[^"\\]|\\.)*)"/g;

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * Removes credentials that are recognisable by their place, whoever wrote them: the userinfo of URLs
 * (`https://svc:pw@host` → `https://host`), the values of credential-looking query parameters
 * (`?access_token=…&X-Amz-Signature=…` → `***`) and of credential-looking JSON members.
 */
export function sanitizeText(text: string): string {
  return text
    .replace(USERINFO, '$1')
    .replace(QUERY_PARAMETER, (match, separator: string, name: string, value: string) =>
      value !== '' && value !== REDACTED && isCredentialName(decodeName(name)) ? `${separator}${name}=${REDACTED}` : match,
    )
    .replace(JSON_MEMBER, (match, head: string, name: string, value: string) => (value !== '' && value !== REDACTED && isCredentialName(name) ? `${head}"${REDACTED}"` : match));
}

/** The base64 texts that contain `bytes` when it sits at any of the three alignments inside a longer encoded value. */
function base64Forms(bytes: Buffer): string[] {
  const forms = [bytes.toString('base64'), bytes.toString('base64url')];
  for (let shift = 0; shift < 3; shift += 1) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Only the characters made of the secret's bits alone: not those shared with the bytes around it.
    const fragment = encoded.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6));
    if (fragment.length >= MIN_FRAGMENT_LENGTH) forms.push(fragment, fragment.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** Every form a secret can take in output: as is, percent-encoded (either case, `+` for space), base64 and base64url, JSON-escaped. */
export function secretForms(secret: string): string[] {
  const encoded = encodeURIComponent(secret);
  const forms = [
    secret,
    encoded,
    encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    encoded.replace(/%20/g, '+'),
    encodeURI(secret),
    JSON.stringify(secret).slice(1, -1),
    ...base64Forms(Buffer.from(secret, 'utf8')),
  ];
  return [...new Set(forms)].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The one redaction path of pageflow: every message, log line, summary and listing goes through a
 * `Redactor` before it is printed. It replaces each known secret in every form it can take
 * (`secretForms`) with `***`, and sanitises what is recognisable as a credential by its place
 * (`sanitizeText`): URL userinfo, credential-looking query parameters, whoever made the URL.
 * Secrets learnt while running (an OAuth access token) are `add`ed and redacted from then on.
 */
export class Redactor {
  private readonly forms = new Set<string>();
  private pattern?: RegExp | null;

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Redacts `secret` from now on. Values shorter than 4 characters are ignored: they would match ordinary text. */
  add(secret: string): void {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return;
    for (const form of secretForms(secret)) this.forms.add(form);
    this.pattern = undefined;
  }

  /** The text with every secret and every credential-looking URL part replaced by `***`. */
  redact(text: string): string {
    this.pattern ??= this.forms.size === 0 ? null : new RegExp([...this.forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
    return sanitizeText(this.pattern ? text.replace(this.pattern, REDACTED) : text);
  }
}

/** Redacts `text` of the given secrets: a one-off `Redactor`. */
export function redact(text: string, secrets: Iterable<string>): string {
  return new Redactor(secrets).redact(text);
}

/** A logger that redacts each message and each text field before handing it on. */
export function redactingLogger(logger: Logger, redactor: Redactor): Logger {
  return {
    enabled: (level) => logger.enabled?.(level) ?? true,
    log(level, message, fields) {
      const safeFields = fields && Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, typeof value === 'string' ? redactor.redact(value) : value]));
      logger.log(level, redactor.redact(message), safeFields);
    },
  };
}
