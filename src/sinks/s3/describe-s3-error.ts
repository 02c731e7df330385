interface S3FailureFields {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly code?: string;
  readonly errors?: readonly unknown[];
}

/**
 * One line for an error from the AWS SDK: S3's error code and HTTP status when S3 answered
 * (`NoSuchBucket (HTTP 404): The specified bucket does not exist`), the system code when it could
 * not be reached (`ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9000`).
 */
export function describeS3Error(error: unknown): string {
  // Duck-typed: errors from Node's own modules are not `instanceof Error` in every realm (jest's VM contexts).
  if (typeof error !== 'object' || error === null || typeof (error as S3FailureFields).message !== 'string') return oneLine(String(error));
  const fields = error as S3FailureFields;
  const status = s3HttpStatus(error);
  const code = (status === undefined ? fields.code : undefined) ?? fields.name ?? 'Error';
  // Answers without a body (HEAD) carry no message; the SDK then says "UnknownError". A refused
  // connection to a name with several addresses is an AggregateError: its message is in `errors`.
  const message = [fields.message, ...(Array.isArray(fields.errors) ? fields.errors : []).map((inner) => (inner as S3FailureFields | undefined)?.message)].find(
    (text) => text && text !== 'UnknownError' && text !== code,
  );
  return oneLine(`${code}${status === undefined ? '' : ` (HTTP ${status})`}${message ? `: ${message}` : ''}`);
}

/** The HTTP status S3 answered with, or undefined when the request got no answer. */
export function s3HttpStatus(error: unknown): number | undefined {
  return (error as S3FailureFields | undefined)?.$metadata?.httpStatusCode;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
