/** Node's error codes for files, directories and connections, in words for people. */
const WORDS: Record<string, string> = {
  ENOENT: 'there is no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EEXIST: 'it already exists',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOTEMPTY: 'the directory is not empty',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  EBUSY: 'it is busy (in use by another process)',
  EXDEV: 'it is on another file system',
  ELOOP: 'too many symbolic links',
  ECONNREFUSED: 'the connection was refused (nothing listens there)',
  ECONNRESET: 'the connection was reset by the other side',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'the host name does not resolve (DNS)',
  EAI_AGAIN: 'the host name could not be resolved right now (DNS)',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  EPIPE: 'the other end of the pipe closed',
};

/** Node's file errors: `ENOENT: no such file or directory, open 'x'` (and `rename 'a' -> 'b'`). */
const FILE_MESSAGE = /\b(E[A-Z_]{2,}): [^,']*, (\w+) '([^']*)'(?: -> '([^']*)')?/g;
/** Node's connection errors: `connect ECONNREFUSED 127.0.0.1:9`, sometimes after a `ECONNREFUSED: ` of their own. */
const CONNECTION_MESSAGE = /\b(?:(E[A-Z_]{2,}): )?(\w+) (E[A-Z_]{2,}) (\S+)/g;

/** What went wrong with a file or connection, in words: `there is no such file or directory (ENOENT)`. */
export function describeSystemError(error: unknown): string {
  const { code, message } = (error ?? {}) as NodeJS.ErrnoException;
  if (code && WORDS[code]) return `${WORDS[code]} (${code})`;
  return explainErrorCodes(message ?? String(error));
}

/**
 * Rewrites Node's system error texts in a message into words:
 * `EEXIST: file already exists, open 'out/.a.tmp'` → `it already exists (EEXIST): open 'out/.a.tmp'`,
 * `connect ECONNREFUSED 127.0.0.1:9` → `connect 127.0.0.1:9: the connection was refused (nothing listens there) (ECONNREFUSED)`.
 * A bare known code (`cannot read it: ENOENT`) gets its words too.
 */
export function explainErrorCodes(message: string): string {
  return message
    .replace(FILE_MESSAGE, (match, code: string, syscall: string, path: string, destination?: string) =>
      WORDS[code] ? `${WORDS[code]} (${code}): ${syscall} '${path}'${destination === undefined ? '' : ` -> '${destination}'`}` : match,
    )
    .replace(CONNECTION_MESSAGE, (match, prefix: string | undefined, syscall: string, code: string, address: string) =>
      WORDS[code] && (prefix === undefined || prefix === code) ? `${syscall} ${address}: ${WORDS[code]} (${code})` : match,
    )
    .replace(/(?<![(\w])(E[A-Z_]{2,})(?![\w)])/g, (code: string) => (WORDS[code] ? `${WORDS[code]} (${code})` : code));
}
