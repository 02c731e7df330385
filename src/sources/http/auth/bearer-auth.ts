import { z } from 'zod';
import { credentialKey, defineAuth } from './authenticator';

export const bearerAuth = defineAuth({
  type: 'bearer',
  config: z
    .strictObject({
      type: z.literal('bearer'),
      token: z
        .string()
        .min(1, 'the token is empty: set it from the environment, e.g. ${MKP_TOKEN}')
        .meta({ description: 'The token; put it in the environment: `${MKP_TOKEN}`.' }),
    })
    .meta({ description: 'Sends `Authorization: Bearer <token>`.' }),
  secrets: ({ token }) => [token],
  create: ({ token }) => {
    const credentials = { headers: { Authorization: `Bearer ${token}` } };
    return {
      authorize: async () => credentials,
      secrets: [token],
      credentialKey: credentialKey('bearer', token),
      hint: 'the token (auth.token)',
    };
  },
});
