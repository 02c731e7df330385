/**
 * A JSON number a JavaScript number cannot hold exactly (an integer beyond ±(2^53 − 1), or a value that
 * would not round-trip, such as `1e400`): kept as the digits the server sent. Encoders write `text`.
 */
export class ExactNumber {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }

  /**
   * What `JSON.stringify` writes: inside `stringifyJson` a tagged string it turns back into the bare
   * digits; anywhere else the digits as a JSON string, exact if quoted.
   */
  toJSON(): string {
    if (jsonTagging.prefix === undefined) return this.text;
    jsonTagging.count += 1;
    return jsonTagging.prefix + this.text;
  }
}

/** Set by `stringifyJson` for the length of one `JSON.stringify` call (synchronous, so never shared). */
export const jsonTagging: { prefix: string | undefined; count: number } = { prefix: undefined, count: 0 };
