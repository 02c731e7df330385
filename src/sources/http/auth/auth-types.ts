import { z } from 'zod';
import type { AuthDeps, Authenticator, AuthType } from './authenticator';
import { apiKeyAuth } from './api-key-auth';
import { basicAuth } from './basic-auth';
import { bearerAuth } from './bearer-auth';
import { oauth2ClientCredentialsAuth } from './oauth2-client-credentials-auth';

/** Every auth type, selected by `auth.type`: adding one is its file plus a line here. */
const AUTH_TYPES = [bearerAuth, basicAuth, apiKeyAuth, oauth2ClientCredentialsAuth] as const;

type ConfigsOf<T extends readonly AuthType[]> = { -readonly [K in keyof T]: T[K]['config'] };
const configsOf = <T extends readonly AuthType[]>(types: T) => types.map((auth) => auth.config) as ConfigsOf<T>;

export const authConfig = z
  .discriminatedUnion('type', configsOf(AUTH_TYPES))
  .meta({ description: 'Authentication, sent only to the origin of `url` and never printed.' });

export type AuthConfig = z.output<typeof authConfig>;

function authTypeOf(config: AuthConfig): AuthType<z.ZodType<AuthConfig>> {
  const found = AUTH_TYPES.find((auth) => auth.type === config.type);
  if (!found) throw new Error(`auth type "${config.type}" is not registered`); // the schema has ruled it out
  return found;
}

/** The secrets of `config` as written (defaults not yet filled in), e.g. from `createHttpSource` options. */
export function authSecrets(config: z.input<typeof authConfig>): string[] {
  const parsed = authConfig.parse(config); // already validated by the callers: this fills in the defaults
  return authTypeOf(parsed).secrets(parsed);
}

export function createAuthenticator(config: AuthConfig, deps: AuthDeps): Authenticator {
  return authTypeOf(config).create(config, deps);
}
