import { z } from 'zod';
import { credentialKey, defineAuth } from './authenticator';

export const basicAuth = defineAuth({
  type: 'basic',
  config: z
    .strictObject({
      type: z.literal('basic'),
      username: z
        .string()
        .min(1, 'the username is empty: set it from the environment, e.g. ${API_USER}')
        // RFC 7617: the first colon ends the user-id.
        .refine((username) => !username.includes(':'), 'a username cannot contain ":" in Basic auth')
        .meta({ description: 'The user name; put it in the environment: `${API_USER}`.' }),
      password: z
        .string()
        .min(1, 'the password is empty: set it from the environment, e.g. ${API_PASSWORD}')
        .meta({ description: 'The password; put it in the environment: `${API_PASSWORD}`.' }),
    })
    .meta({ description: 'Sends `Authorization: Basic <base64 of username:password>` (RFC 7617).' }),
  // `user:password` too: redacting its base64 form hides the header whatever the password's own base64 looks like.
  secrets: ({ username, password }) => [`${username}:${password}`, password],
  create: ({ username, password }) => {
    const credentials = { headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}` } };
    return {
      authorize: async () => credentials,
      secrets: [`${username}:${password}`, password],
      credentialKey: credentialKey('basic', username, password),
      hint: 'the user name and password (auth.username/auth.password)',
    };
  },
});
