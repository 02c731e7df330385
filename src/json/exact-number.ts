/**
 * A JSON number a JavaScript number cannot hold exactly (an integer beyond ±2^53, or a value that
 * would not round-trip, such as `1e400`): kept as the digits the server sent. Encoders write `text`.
 */
export class ExactNumber {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}
