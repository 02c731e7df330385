/**
 * A decimal number's value in one spelling: `-0.123e4` for -1230, `0` for any zero. Two texts of
 * JSON's number grammar (or of `String(number)`) denote the same value exactly when these agree.
 */
export function canonicalDecimal(text: string): string {
  const negative = text.charCodeAt(0) === 45; // '-'
  const start = negative ? 1 : 0;
  let end = text.length;
  let exponent = 0;
  for (let at = start; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (code === 101 || code === 69) {
      // 'e' | 'E'
      exponent = Number(text.slice(at + 1));
      end = at;
      break;
    }
  }
  const dot = text.indexOf('.', start);
  const whole = dot < 0 || dot > end ? text.slice(start, end) : text.slice(start, dot);
  const fraction = dot < 0 || dot > end ? '' : text.slice(dot + 1, end);
  let digits = whole + fraction;
  exponent += whole.length;
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === 48) lead += 1;
  let trail = digits.length;
  while (trail > lead && digits.charCodeAt(trail - 1) === 48) trail -= 1;
  if (trail === lead) return '0';
  digits = digits.slice(lead, trail);
  return `${negative ? '-' : ''}0.${digits}e${exponent - lead}`;
}

/**
 * Whether a JSON number token must stay exact: an integer written without fraction or exponent beyond
 * ±(2^53 − 1), or any number whose value `Number()` would change (`1e400`, `1e-400`,
 * `0.1000000000000000055511151231257827`). `0.1` and `1.50` round-trip and stay numbers.
 */
export function needsExactNumber(token: string): boolean {
  const value = Number(token);
  if (!Number.isFinite(value)) return true;
  if (/^-?\d+$/.test(token)) return !Number.isSafeInteger(value);
  return canonicalDecimal(token) !== canonicalDecimal(String(value));
}
