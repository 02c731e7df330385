import { createHash } from 'node:crypto';
import type { Agent } from 'node:http';
import type { z } from 'zod';
import type { Logger } from '../../../logger';

/** What authenticates one request to the configured origin: headers and/or query parameters. */
export interface Credentials {
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
}

/**
 * One auth type at run time. The source asks it for credentials before every request to the
 * configured origin (never another), so a token can be fetched first and renewed when it expires.
 */
export interface Authenticator {
  /** Credentials for the next request; may fetch or renew a token first. */
  authorize(signal?: AbortSignal): Promise<Credentials>;
  /**
   * Called once after the origin answered 401 to `rejected`, credentials from `authorize`. True when
   * trying that request once more may succeed (an OAuth token renewed); false makes the 401 final.
   * Requests in flight together may all report the same credentials: they share one renewal.
   */
  unauthorized?(rejected: Credentials): Promise<boolean>;
  /** Values never to print, known when the pipeline is built (tokens fetched later are reported by `onSecret`). */
  readonly secrets: readonly string[];
  /** Identifies the credential for rate budgets: a hash, never the credential itself. */
  readonly credentialKey: string;
  /** For a 401/403 hint: what to check, e.g. `the token (auth.token)`. */
  readonly hint: string;
}

/** What an auth type may use to build its authenticator. */
export interface AuthDeps {
  readonly logger: Logger;
  /** Called with every secret learnt at run time (an access token), so that it is redacted from then on. */
  onSecret(secret: string): void;
  /** The agent for a request of the authenticator's own (an OAuth2 token request): the run's proxy and TLS settings. */
  agentFor(url: string): Agent;
  /** Deadline for such a request. */
  readonly timeoutMs: number;
}

/** One auth type: its `type:`, its options' schema, and a factory. One file per type, listed in `auth-types.ts`. */
export interface AuthType<C extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly config: C;
  /** The values in the options that must never be printed. */
  secrets(config: z.output<C>): string[];
  create(config: z.output<C>, deps: AuthDeps): Authenticator;
}

export const defineAuth = <C extends z.ZodType>(definition: AuthType<C>): AuthType<C> => definition;

/** A stable, one-way identity for a credential (rate budgets are keyed by it). */
export function credentialKey(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}
