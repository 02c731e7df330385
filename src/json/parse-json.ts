/**
 * Parses one page body. Every source reads JSON through here, so that numbers JSON.parse would round
 * (integers beyond 2^53, values that do not round-trip) can be kept exact in one place.
 */
export function parseJson(text: string): unknown {
  return JSON.parse(text);
}
