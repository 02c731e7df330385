/** A pipeline file per tenant: `${TENANT}` names the output, `${TOKEN}` authenticates, `${API}` has a default. */
export const TENANT_PIPELINE = `name: customers-\${TENANT}
source:
  type: http
  url: \${API:-http://127.0.0.1:9}/v1/customers
  auth: { type: bearer, token: "\${TOKEN}" }
sinks:
  - type: file
    path: out/\${TENANT}.csv
`;
