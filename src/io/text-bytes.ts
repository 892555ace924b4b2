/**
 * Large generated text (chip.yaml: megabytes of number lists) written straight into UTF-8 bytes.
 * Building it as JavaScript strings cost each number a string, each line a join, each piece a
 * UTF-8 copy to hash and another to write: ~0.19 s and ~7,000 first-touch page faults for the
 * 5 step LMUs' 4.8 MB on the bench VM (a fault costs ~10 µs there). Numbers are written as
 * String(x) writes them (integers digit by digit, anything else through String), so the bytes
 * are the ones the string version produced.
 */
/** The longest String(x) of a number: "-1.2345678901234567e-308" is 24 (all ASCII). */
const MAX_NUMBER_BYTES = 24;

export class TextBytes {
  private buf: Uint8Array;
  private len = 0;
  /** Digits of one integer, written backwards. */
  private readonly digits = new Uint8Array(24);
  private readonly encoder = new TextEncoder();

  constructor(initialBytes = 1 << 16) {
    this.buf = new Uint8Array(initialBytes);
  }

  get length(): number {
    return this.len;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Any string, UTF-8 encoded (ASCII copied byte by byte). */
  text(s: string): this {
    const n = s.length;
    this.room(n);
    const buf = this.buf;
    let at = this.len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return this.utf8(s);
      buf[at++] = c;
    }
    this.len = at;
    return this;
  }

  private utf8(s: string): this {
    // At most 3 bytes per UTF-16 unit.
    this.room(3 * s.length);
    this.len += this.encoder.encodeInto(s, this.buf.subarray(this.len)).written;
    return this;
  }

  /** A line: the text, then "\n". */
  line(s: string): this {
    this.text(s);
    this.room(1);
    this.buf[this.len++] = 10;
    return this;
  }

  /** x as String(x) writes it. */
  num(x: number): this {
    this.room(MAX_NUMBER_BYTES);
    this.numInRoom(x);
    return this;
  }

  /** num, with room for MAX_NUMBER_BYTES already made. */
  private numInRoom(x: number): void {
    // Integers of |x| < 2^53 (−0 included, which String writes as "0") digit by digit.
    if (!(Number.isInteger(x) && x > -9007199254740992 && x < 9007199254740992)) {
      const s = String(x);
      for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
      return;
    }
    const buf = this.buf;
    let v = x < 0 ? -x : x;
    if (x < 0) buf[this.len++] = 45;
    const d = this.digits;
    let k = 0;
    do {
      const q = Math.floor(v / 10);
      d[k++] = 48 + (v - 10 * q);
      v = q;
    } while (v > 0);
    while (k > 0) buf[this.len++] = d[--k];
  }

  /** "[a, b, c]" with each number as String writes it: the text of `[${xs.join(", ")}]`. */
  list(xs: ArrayLike<number>): this {
    const n = xs.length;
    this.room(2 + n * (MAX_NUMBER_BYTES + 2));
    this.buf[this.len++] = 91;
    for (let i = 0; i < n; i++) {
      if (i > 0) {
        this.buf[this.len++] = 44;
        this.buf[this.len++] = 32;
      }
      this.numInRoom(xs[i]);
    }
    this.buf[this.len++] = 93;
    return this;
  }

  /** The bytes written so far (a view: writing more may or may not show in it). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
