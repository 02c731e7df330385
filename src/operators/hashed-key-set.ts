import { hash } from 'node:crypto';
import { canonicalKey } from './canonical-key';

const WORDS_PER_SLOT = 4;
const MAX_LOAD = 0.75;
const INITIAL_SLOTS = 1024;

/**
 * A set of dedup keys that stores a 128-bit SHA-256 digest of each key instead of the key: 16 bytes
 * per slot in one typed array (open addressing, linear probing), whatever the key's length, and no
 * object per key for the garbage collector to trace.
 *
 * Keys compare as `canonicalKey` says. Two different keys are taken for one only if
 * their digests collide: for n keys the chance is at most n²/2¹²⁸ (one bit of the 128 marks a used
 * slot), about 3·10⁻²¹ for a billion keys. SHA-256 is used rather than a faster non-cryptographic
 * hash so that keys chosen by an adversary can't collide on purpose either.
 */
export class HashedKeySet {
  private slots = new Uint32Array(INITIAL_SLOTS * WORDS_PER_SLOT);
  private count = 0;
  /**
   * The digests added since the last `save`, `takeAdded` or `restore`, in the slots' layout: kept
   * once one of those was called (a run that checkpoints), at most one checkpoint's worth.
   */
  private added?: Uint32Array;
  private addedCount = 0;

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
    if (this.added) this.track(a, b, c, d);
    this.count += 1;
    if (this.count > (this.slots.length / WORDS_PER_SLOT) * MAX_LOAD) this.grow();
    return true;
  }

  /** Every digest held, 16 bytes each: what `restore` takes back (a checkpoint saves it). */
  save(): Buffer {
    this.startTracking();
    const digests = new Uint32Array(this.count * WORDS_PER_SLOT);
    let to = 0;
    for (let at = 0; at < this.slots.length; at += WORDS_PER_SLOT) {
      if (this.slots[at] === 0) continue;
      digests.set(this.slots.subarray(at, at + WORDS_PER_SLOT), to);
      to += WORDS_PER_SLOT;
    }
    return Buffer.from(digests.buffer);
  }

  /** Adds the digests of a `save`. */
  restore(saved: Uint8Array): void {
    const words = new Uint32Array(saved.buffer.slice(saved.byteOffset, saved.byteOffset + saved.byteLength));
    for (let at = 0; at < words.length; at += WORDS_PER_SLOT) {
      if (!this.insert(this.slots, words[at], words[at + 1], words[at + 2], words[at + 3])) continue;
      this.count += 1;
      if (this.count > (this.slots.length / WORDS_PER_SLOT) * MAX_LOAD) this.grow();
    }
    this.startTracking();
  }

  /**
   * The digests added since the last `save`, `takeAdded` or `restore` (every digest, before any):
   * put after what those gave, they restore the set. A checkpoint appends them to a journal.
   */
  takeAdded(): Buffer {
    if (!this.added) return this.save();
    const added = Buffer.from(this.added.buffer.slice(0, this.addedCount * WORDS_PER_SLOT * Uint32Array.BYTES_PER_ELEMENT));
    this.addedCount = 0;
    return added;
  }

  private startTracking(): void {
    this.added ??= new Uint32Array(1024 * WORDS_PER_SLOT);
    this.addedCount = 0;
  }

  private track(a: number, b: number, c: number, d: number): void {
    let added = this.added!;
    const at = this.addedCount * WORDS_PER_SLOT;
    if (at === added.length) {
      added = new Uint32Array(added.length * 2);
      added.set(this.added!);
      this.added = added;
    }
    added[at] = a;
    added[at + 1] = b;
    added[at + 2] = c;
    added[at + 3] = d;
    this.addedCount += 1;
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

function word(digest: string, offset: number): number {
  return (
    (digest.charCodeAt(offset) | (digest.charCodeAt(offset + 1) << 8) | (digest.charCodeAt(offset + 2) << 16) | (digest.charCodeAt(offset + 3) << 24)) >>> 0
  );
}
