/**
 * Growable byte writer and bounds-checked reader with LEB128 varints and zigzag signed integers. Integers are
 * JavaScript numbers and may use the full safe range (|x| ≤ 2^53): above 2^31 the code switches from bit
 * operations to arithmetic.
 */

const TWO_POW_31 = 2 ** 31;

/** Maps signed to unsigned so small magnitudes stay small: 0, −1, 1, −2 → 0, 1, 2, 3. Safe for |x| < 2^52. */
export function zigzag(x: number): number {
  return x >= 0 ? x * 2 : -x * 2 - 1;
}

export function unzigzag(u: number): number {
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  private reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  /** unsigned varint of a non-negative safe integer */
  uvarint(v: number): void {
    // 2^53 needs 8 bytes; reserve before taking `buf`, which reserve may replace
    this.reserve(10);
    const buf = this.buf;
    let pos = this.length;
    if (v < TWO_POW_31) {
      while (v >= 0x80) {
        buf[pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[pos++] = v;
    } else {
      while (v >= 0x80) {
        buf[pos++] = (v % 128) | 0x80;
        v = Math.floor(v / 128);
      }
      buf[pos++] = v;
    }
    this.length = pos;
  }

  svarint(v: number): void {
    this.uvarint(zigzag(v));
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** a view of the written bytes (valid until the next write) */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

export class ByteReader {
  pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('truncated data: byte past the end');
    return this.buf[this.pos++] as number;
  }

  uvarint(): number {
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= buf.length) throw new RangeError('truncated data: varint past the end');
      const b = buf[this.pos++] as number;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
      if (mul > 2 ** 63) throw new RangeError('corrupt data: varint longer than 9 bytes');
    }
  }

  svarint(): number {
    return unzigzag(this.uvarint());
  }

  bytes(n: number): Uint8Array {
    if (n > this.remaining) throw new RangeError(`truncated data: ${n} bytes asked, ${this.remaining} left`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
