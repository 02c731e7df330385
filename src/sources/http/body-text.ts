import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

/** A body read as text: invalid UTF-8 bytes became U+FFFD, and `invalidUtf8` says whether there were any. */
export interface BodyText {
  readonly text: string;
  /** Bytes received (after any `Content-Encoding` was undone). */
  readonly bytes: number;
  readonly invalidUtf8: boolean;
}

/**
 * Reads a response body as text, checking the chunks as they arrive and decoding them one by one at
 * the end, never joined into one buffer: a joined copy of each page (hundreds of kB outside the JavaScript heap) tends to outlive two
 * young-generation collections and then waits for a full one, which put tens of MB on the peak
 * memory of a long export.
 */
export async function readBodyText(chunks: AsyncIterable<Buffer>, maxBytes = Infinity): Promise<BodyText> {
  const decoder = new StringDecoder('utf8');
  const check = new Utf8Check();
  const received: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += chunk.length;
    // Leaving the loop ends the stream, and with it the response.
    if (bytes > maxBytes) throw new BodyTooLargeError(`more than ${maxBytes} bytes: maxResponseBytes`);
    check.write(chunk);
    received.push(chunk);
  }
  const parts = received.map((chunk) => decoder.write(chunk));
  parts.push(decoder.end());
  return { text: parts.join(''), bytes, invalidUtf8: !check.end() };
}

/** The body is larger than the source reads (`maxResponseBytes`). */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** Whether bytes that arrive in pieces are valid UTF-8, a character split between two pieces included. */
export class Utf8Check {
  private valid = true;
  // The start of a character cut off at the end of the last piece (at most 3 bytes).
  private pending: Buffer | undefined;

  write(chunk: Buffer): void {
    if (!this.valid) return;
    let start = 0;
    if (this.pending) {
      const pending: Buffer = this.pending;
      const missing = sequenceLength(pending[0]!) - pending.length;
      const joined = Buffer.concat([pending, chunk.subarray(0, missing)]);
      if (chunk.length < missing) {
        this.pending = joined;
        return;
      }
      this.pending = undefined;
      if (!isUtf8(joined)) return this.fail();
      start = missing;
    }
    const end = cutCharacterStart(chunk, start);
    if (!isUtf8(chunk.subarray(start, end))) return this.fail();
    if (end < chunk.length) this.pending = Buffer.from(chunk.subarray(end));
  }

  /** Whether everything written was valid UTF-8, ending on a whole character. */
  end(): boolean {
    return this.valid && this.pending === undefined;
  }

  private fail(): void {
    this.valid = false;
    this.pending = undefined;
  }
}

/** How many bytes the character starting with `lead` has; 1 for a byte that cannot start one (it fails the check). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  return 1;
}

/** Where a character that the end of `chunk` cuts off starts, or `chunk.length` when none is. */
function cutCharacterStart(chunk: Buffer, from: number): number {
  for (let index = chunk.length - 1; index >= Math.max(from, chunk.length - 3); index -= 1) {
    const byte = chunk[index]!;
    if ((byte & 0xc0) === 0x80) continue;
    return index + sequenceLength(byte) > chunk.length ? index : chunk.length;
  }
  return chunk.length;
}
