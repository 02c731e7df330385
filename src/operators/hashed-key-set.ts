import { hash } from 'node:crypto';

const WORDS_PER_SLOT = 4;
const MAX_LOAD = 0.75;
// In a `u` regular expression a surrogate pair is one code point, so this finds only lone surrogates.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A set of dedup keys that stores a 128-bit SHA-256 digest of each key instead of the key: 16 bytes
 * per slot in one typed array (open addressing, linear probing), whatever the key's length, and no
 * object per key for the garbage collector to trace.
 *
 * Keys compare as in the exact set: strings, numbers, booleans and null by value (`1` and `"1"`
 * differ), arrays and objects by their JSON text. Two different keys are taken for one only if
 * their digests collide: for n keys the chance is at most n²/2¹²⁸ (one bit of the 128 marks a used
 * slot), about 3·10⁻²¹ for a billion keys. SHA-256 is used rather than a faster non-cryptographic
 * hash so that keys chosen by an adversary can't collide on purpose either.
 */
export class HashedKeySet {
  private slots: Uint32Array;
  private count = 0;

  constructor(initialSlots = 1024) {
    this.slots = new Uint32Array(nextPowerOfTwo(initialSlots) * WORDS_PER_SLOT);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table (the whole memory cost of the set). */
  get byteLength(): number {
    return this.slots.byteLength;
  }

  /** Adds a key; returns false when it was already in the set. */
  add(key: unknown): boolean {
    const digest = hash('sha256', canonicalKey(key), 'binary');
    // An all-zero slot is empty, so a stored digest always has its lowest bit set.
    const a = (word(digest, 0) | 1) >>> 0;
    const b = word(digest, 4);
    const c = word(digest, 8);
    const d = word(digest, 12);
    if (!this.insert(this.slots, a, b, c, d)) return false;
    this.count += 1;
    if (this.count > (this.slots.length / WORDS_PER_SLOT) * MAX_LOAD) this.grow();
    return true;
  }

  private insert(slots: Uint32Array, a: number, b: number, c: number, d: number): boolean {
    const mask = slots.length / WORDS_PER_SLOT - 1;
    for (let slot = b & mask; ; slot = (slot + 1) & mask) {
      const at = slot * WORDS_PER_SLOT;
      if (slots[at] === 0) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = c;
        slots[at + 3] = d;
        return true;
      }
      if (slots[at] === a && slots[at + 1] === b && slots[at + 2] === c && slots[at + 3] === d) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let at = 0; at < old.length; at += WORDS_PER_SLOT) {
      if (old[at] !== 0) this.insert(this.slots, old[at], old[at + 1], old[at + 2], old[at + 3]);
    }
  }
}

/**
 * One string per key, different for keys that differ. Well-formed strings that don't start with NUL
 * are themselves; everything else gets a NUL and a type tag, so no two kinds of key can meet.
 * Strings with lone surrogates go through JSON, which escapes them instead of turning them all into
 * U+FFFD as UTF-8 encoding for the hash would.
 */
function canonicalKey(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return key.charCodeAt(0) !== 0 && !LONE_SURROGATE.test(key) ? key : `\0"${JSON.stringify(key)}`;
    case 'number':
      // `String` maps -0 to "0" and NaN to "NaN": the same equality a Set uses (SameValueZero).
      return `\0n${String(key)}`;
    case 'bigint':
      return `\0b${String(key)}`;
    case 'boolean':
      return key ? '\0t' : '\0f';
    case 'undefined':
      return '\0u';
    default:
      return key === null ? '\0l' : `\0o${JSON.stringify(key)}`;
  }
}

function word(digest: string, offset: number): number {
  return (
    (digest.charCodeAt(offset) | (digest.charCodeAt(offset + 1) << 8) | (digest.charCodeAt(offset + 2) << 16) | (digest.charCodeAt(offset + 3) << 24)) >>> 0
  );
}

function nextPowerOfTwo(value: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(2, value)));
}
