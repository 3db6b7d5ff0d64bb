import { createHash } from 'node:crypto';

/**
 * A set of 64-bit fingerprints (the first 8 bytes of SHA-1) in one open-addressing table:
 * ~16 bytes per key instead of a JS Set of strings' ~100, so an import of millions of users can
 * remember every email, username and user_id it has seen in bounded memory. Two different keys
 * share a fingerprint with probability about n²/2⁶⁵ (3 × 10⁻⁸ at a million users): then the later
 * record is reported DUPLICATED_USER.
 */
export class FingerprintSet {
  private table = new Uint32Array(2 * 1024);
  private count = 0;

  /** Adds the key; true when it was already there. */
  addHas(key: string): boolean {
    const digest = createHash('sha1').update(key).digest();
    // 0/0 marks an empty slot, so a (vanishingly rare) zero fingerprint becomes 0/1.
    const hi = digest.readUInt32LE(0);
    const lo = digest.readUInt32LE(4) || 1;
    if ((this.count + 1) * 4 > (this.table.length / 2) * 3) this.grow();
    return this.insert(hi, lo);
  }

  private insert(hi: number, lo: number): boolean {
    const slots = this.table.length / 2;
    let slot = hi % slots;
    for (;;) {
      const h = this.table[2 * slot]!;
      const l = this.table[2 * slot + 1]!;
      if (h === 0 && l === 0) {
        this.table[2 * slot] = hi;
        this.table[2 * slot + 1] = lo;
        this.count += 1;
        return false;
      }
      if (h === hi && l === lo) return true;
      slot = (slot + 1) % slots;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0 || old[i + 1] !== 0) this.insert(old[i]!, old[i + 1]!);
  }
}
