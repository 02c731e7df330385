import { isUtf8 } from 'node:buffer';
import { BodyTooLargeError, readBodyText, Utf8Check } from '../../../src/sources/http/body-text';

async function* pieces(bytes: Buffer, cuts: readonly number[]): AsyncGenerator<Buffer> {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(from, cut);
    from = cut;
  }
}

// One of each UTF-8 length (1–4 bytes), so that every cut lands inside a character somewhere.
const MIXED = Buffer.from('a é € 😀 z', 'utf8');
const INVALID: readonly Buffer[] = [
  Buffer.from([0x61, 0xe9, 0x62]), // a Latin-1 é
  Buffer.from([0xe2, 0x82]), // a character cut off at the end
  Buffer.from([0x80, 0x61]), // a lone continuation byte
  Buffer.from([0xc0, 0xaf]), // an overlong encoding
  Buffer.from([0xed, 0xa0, 0x80]), // a surrogate
  Buffer.from([0xf0, 0x9f, 0x98, 0x80, 0x80]), // a continuation byte too many
];

describe('readBodyText', () => {
  it('decodes a body cut at every byte the same as the whole body', async () => {
    for (let cut = 0; cut <= MIXED.length; cut += 1) {
      await expect(readBodyText(pieces(MIXED, [cut]))).resolves.toEqual({ text: MIXED.toString('utf8'), bytes: MIXED.length, invalidUtf8: false });
    }
  });

  it('decodes a body that arrives one byte at a time', async () => {
    const cuts = Array.from({ length: MIXED.length - 1 }, (_, index) => index + 1);
    await expect(readBodyText(pieces(MIXED, cuts))).resolves.toEqual({ text: MIXED.toString('utf8'), bytes: MIXED.length, invalidUtf8: false });
  });

  it('flags invalid UTF-8 wherever the cuts fall, the bad bytes replaced as Buffer#toString does', async () => {
    for (const bad of INVALID) {
      const body = Buffer.concat([MIXED, bad, MIXED]);
      for (let cut = 0; cut <= body.length; cut += 1) {
        const read = await readBodyText(pieces(body, [cut]));
        expect(read).toEqual({ text: body.toString('utf8'), bytes: body.length, invalidUtf8: true });
      }
    }
  });

  it('stops reading past the largest body allowed', async () => {
    await expect(readBodyText(pieces(MIXED, [4]), MIXED.length)).resolves.toMatchObject({ bytes: MIXED.length });
    await expect(readBodyText(pieces(MIXED, [4]), MIXED.length - 1)).rejects.toThrow(new BodyTooLargeError(`more than ${MIXED.length - 1} bytes: maxResponseBytes`));
  });

  it('reads an empty body', async () => {
    await expect(readBodyText(pieces(Buffer.alloc(0), []))).resolves.toEqual({ text: '', bytes: 0, invalidUtf8: false });
  });
});

describe('Utf8Check', () => {
  it('agrees with isUtf8 on every two-piece split of short byte strings', () => {
    // Every string of up to 3 bytes drawn from bytes that matter to UTF-8, cut at every place.
    const alphabet = [0x41, 0x7f, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5];
    const strings: number[][] = [[]];
    for (let length = 1; length <= 3; length += 1) {
      for (const prefix of strings.filter((string) => string.length === length - 1)) for (const byte of alphabet) strings.push([...prefix, byte]);
    }
    for (const string of strings) {
      const bytes = Buffer.from([...string, 0x80, 0x80]);
      for (let cut = 0; cut <= bytes.length; cut += 1) {
        const check = new Utf8Check();
        check.write(bytes.subarray(0, cut));
        check.write(bytes.subarray(cut));
        expect([string, cut, check.end()]).toEqual([string, cut, isUtf8(bytes)]);
      }
    }
  });
});
