import { z } from 'zod';
import { credentialKey, defineAuth } from './authenticator';

// RFC 9110 token characters: what a header name may hold.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const apiKeyAuth = defineAuth({
  type: 'api-key',
  config: z
    .strictObject({
      type: z.literal('api-key'),
      name: z.string().min(1).meta({ description: 'The header or query parameter that carries the key.', examples: ['X-Api-Key', 'api_key'] }),
      value: z
        .string()
        .min(1, 'the key is empty: set it from the environment, e.g. ${API_KEY}')
        .meta({ description: 'The key; put it in the environment: `${API_KEY}`.' }),
      in: z.enum(['header', 'query']).default('header').meta({ description: 'Where the key goes: a request header, or a query parameter of each request (never printed in page URLs).' }),
    })
    .refine((config) => config.in === 'query' || HEADER_NAME.test(config.name), { message: 'not a valid header name', path: ['name'] })
    .meta({ description: 'Sends an API key in a header (`X-Api-Key: <value>`) or a query parameter (`?api_key=<value>`).' }),
  secrets: ({ value }) => [value],
  create: (config) => {
    const credentials = config.in === 'header' ? { headers: { [config.name]: config.value } } : { query: { [config.name]: config.value } };
    return {
      authorize: async () => credentials,
      secrets: [config.value],
      credentialKey: credentialKey('api-key', config.name, config.value),
      hint: `the API key (auth.value, sent as ${config.in === 'header' ? 'header' : 'query parameter'} ${config.name})`,
    };
  },
});
