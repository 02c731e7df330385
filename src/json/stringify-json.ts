/** Writes one value as JSON text: every encoder and message that writes records as JSON goes through here. */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value);
}
