/** How much of a text the server wrote (an error message, a status text) is printed. */
export const SERVER_TEXT_MAX = 300;

// C0 and C1 controls, DEL, line/paragraph separators and the bidi controls that reorder a terminal line.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from the server made safe to print on one line: cut to `max` characters (saying how long it
 * was) and with control characters escaped, so that a `\n` cannot forge a log line and an ANSI or
 * OSC escape cannot clear the screen or retitle the window.
 */
export function serverText(text: string, max = SERVER_TEXT_MAX): string {
  let cut = text.length > max ? text.slice(0, max) : text;
  // Do not leave half a surrogate pair behind.
  if (cut.length < text.length && /[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  const escaped = cut.replace(CONTROL, (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return cut.length < text.length ? `${escaped}… (${text.length} characters)` : escaped;
}
