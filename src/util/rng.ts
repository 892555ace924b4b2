/**
 * Seeded, platform-independent pseudo-random numbers.
 *
 * The generator is xoshiro128** (Blackman & Vigna), written with 32-bit integer ops only
 * (`Math.imul`, shifts, xor), so a seed gives the same stream on every machine and Node
 * version. Floats are derived from the integers with exact IEEE operations; only `normal()`
 * uses `Math.log`/`Math.sqrt` (sqrt is correctly rounded; log is stable within one Node version).
 *
 * Seeds are non-negative integers up to 2^53 − 1 (any safe integer), expanded into the 128-bit
 * state splitmix-style. Use `deriveSeed(seed, label)` to give every random quantity of every
 * object its own stream, so adding or reordering objects never perturbs the others.
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
/** 2^32 / golden ratio: the splitmix32 increment (an odd constant, so the counter has full period). */
const GOLDEN_GAMMA = 0x9e3779b9;

/** MurmurHash3's fmix32 finaliser: a bijection on 32-bit words with full avalanche. */
function fmix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl32(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function checkSeed(seed: number, what: string): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`${what} must be a non-negative integer below 2^53, got ${seed}`);
  }
}

/** Splits a safe non-negative integer into its low and high 32-bit words (both exact). */
function seedWords(seed: number): [lo: number, hi: number] {
  const lo = seed % TWO_POW_32;
  return [lo >>> 0, ((seed - lo) / TWO_POW_32) >>> 0];
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Second value of the last Marsaglia polar pair; NaN when none is pending. */
  private spareNormal = Number.NaN;

  constructor(seed: number) {
    checkSeed(seed, "Rng seed");
    const [lo, hi] = seedWords(seed);
    // A splitmix32 counter seeded from the low word gives s0..s3; the high word is folded into
    // s1 and s2 through another bijection. s0 determines lo and then s1 determines hi, so
    // distinct 53-bit seeds give distinct states (no silent collisions between seeds).
    let counter = lo;
    const next = (): number => {
      counter = (counter + GOLDEN_GAMMA) | 0;
      return fmix32(counter);
    };
    const hiMix = fmix32((hi + 0x6a09e667) | 0);
    this.s0 = next() | 0;
    this.s1 = (next() ^ hiMix) | 0;
    this.s2 = (next() ^ fmix32(hiMix + GOLDEN_GAMMA)) | 0;
    this.s3 = next() | 0;
    // xoshiro must never be in the all-zero state (it would output zeros forever).
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s3 = 1;
  }

  /** Builds a generator from raw state words; for checking against the reference implementation. */
  static fromState(s0: number, s1: number, s2: number, s3: number): Rng {
    const r = new Rng(0);
    r.s0 = s0 | 0;
    r.s1 = s1 | 0;
    r.s2 = s2 | 0;
    r.s3 = s3 | 0;
    if ((r.s0 | r.s1 | r.s2 | r.s3) === 0) throw new RangeError("xoshiro128** state must not be all zero");
    return r;
  }

  /** Next raw output, an integer in [0, 2^32). */
  nextU32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl32(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl32(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform in [0, 1) on the grid k·2^-53: every double of that grid is equally likely. */
  uniform(): number {
    const hi27 = this.nextU32() >>> 5;
    const lo26 = this.nextU32() >>> 6;
    return (hi27 * 67108864 + lo26) / TWO_POW_53;
  }

  /**
   * Uniform in [lo, hi). `lo + (hi − lo)·u` can round up to exactly `hi` when the span is much
   * larger than lo's ulp; that case is mapped back to lo so the interval stays half-open.
   */
  uniformRange(lo: number, hi: number): number {
    if (!(hi >= lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) {
      throw new RangeError(`uniformRange needs finite lo <= hi, got [${lo}, ${hi})`);
    }
    const x = lo + (hi - lo) * this.uniform();
    return x < hi ? x : lo;
  }

  /**
   * Unbiased integer in [lo, hi) by rejection (no modulo bias). The span must fit in 32 bits,
   * which covers every index this project draws.
   */
  uniformInt(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi <= lo || hi - lo > TWO_POW_32) {
      throw new RangeError(`uniformInt needs integers lo < hi with hi - lo <= 2^32, got [${lo}, ${hi})`);
    }
    const span = hi - lo;
    // The largest multiple of span that fits in [0, 2^32); all operands are exact integers.
    const limit = TWO_POW_32 - (TWO_POW_32 % span);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return lo + (x % span);
    }
  }

  /**
   * Standard normal by the Marsaglia polar method (no trig). Values come in pairs; the second
   * is kept for the next call, so the stream of normals depends only on the seed and on the
   * sequence of calls made, never on timing or environment.
   */
  normal(mean = 0, std = 1): number {
    let z: number;
    if (!Number.isNaN(this.spareNormal)) {
      z = this.spareNormal;
      this.spareNormal = Number.NaN;
    } else {
      let u: number, v: number, s: number;
      do {
        u = 2 * this.uniform() - 1;
        v = 2 * this.uniform() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const m = Math.sqrt((-2 * Math.log(s)) / s);
      z = u * m;
      this.spareNormal = v * m;
    }
    return mean + std * z;
  }

  /** Fisher–Yates shuffle in place (uniform over permutations); returns the same array. */
  shuffle<A extends { length: number; [index: number]: unknown }>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.uniformInt(0, i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }
}

/**
 * Child seed in [0, 2^32) for the random quantity named `label` of a run seeded with `seed`.
 * Labels should be stable object paths (e.g. "ens/mem.ens/encoders"), never positions, so a
 * quantity's stream does not move when other objects are declared before it.
 *
 * The hash runs over the seed's two 32-bit words and the label's UTF-8 bytes (so it does not
 * depend on the JS engine's string representation), FNV-1a style with an fmix32 finaliser.
 * It is not cryptographic; it only has to decorrelate nearby seeds and similar labels.
 */
export function deriveSeed(seed: number, label: string): number {
  checkSeed(seed, "parent seed");
  const [lo, hi] = seedWords(seed);
  let h = fmix32(lo ^ 0x243f6a88);
  h = fmix32((h ^ fmix32(hi + GOLDEN_GAMMA)) + 0x13198a2e);
  const bytes = new TextEncoder().encode(label);
  for (let i = 0; i < bytes.length; i++) {
    h = Math.imul(h ^ bytes[i], 0x01000193);
  }
  // FNV alone mixes the last bytes poorly; the finaliser makes a one-character change in the
  // label flip about half of the output bits.
  h = fmix32(h ^ bytes.length);
  return h >>> 0;
}
