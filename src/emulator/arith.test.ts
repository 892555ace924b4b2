// The chip arithmetic of hardware-model.md §0.3, §2.1, §2.2, §3.2, §3.3; each expected number is
// quoted from the spec or derived by hand next to it. Property tests compare against BigInt.
import fc from "fast-check";
import {
  BIAS_EXP_MAX,
  BIAS_MANT_MAX,
  BIAS_MAX,
  DECAY_MAX,
  Q_BITS,
  REFRACT_MAX,
  U_BITS,
  VTH_EXP,
  VTH_MANT_MAX,
  VTH_MAX,
  asr,
  clip,
  decayCurrent,
  decayToward0,
  decayVoltage,
  fl32,
  isRepresentableBias,
  isRepresentableVmax,
  isRepresentableVmin,
  isRepresentableVth,
  isRepresentableWeight,
  rne,
  sh,
  shl,
  weightContribution,
  weightShiftS,
  wrapBits,
} from "./arith.js";

describe("constants (§1.2)", () => {
  test("register widths", () => {
    expect(Q_BITS).toBe(21);
    expect(U_BITS).toBe(23);
    expect(VTH_EXP).toBe(6);
    expect(VTH_MANT_MAX).toBe(131071);
    expect(VTH_MAX).toBe(8388544);
    expect(BIAS_MANT_MAX).toBe(4095);
    expect(BIAS_EXP_MAX).toBe(7);
    expect(BIAS_MAX).toBe(524160);
    expect(DECAY_MAX).toBe(4095);
    expect(REFRACT_MAX).toBe(63);
  });
});

describe("decayToward0 (§2.1)", () => {
  test("truncates the magnitude: toward zero for both signs", () => {
    expect(decayToward0(16256, 3354)).toBe(13311);
    expect(decayToward0(-16256, 3354)).toBe(-13311); // not −13312 (floor would give that)
    expect(decayToward0(0, 3354)).toBe(0);
    expect(decayToward0(5, 0)).toBe(0);
    expect(decayToward0(-5, 4096)).toBe(-5);
  });

  test("§10 item 2: du = 4094 keeps trunc(|u|/4096); du = 0 keeps 4095/4096", () => {
    expect(decayCurrent(16256, 4094)).toBe(3);
    expect(decayCurrent(3, 4094)).toBe(0);
    expect(decayCurrent(16256, 4095)).toBe(0);
    expect(decayCurrent(16256, 0)).toBe(16252);
    expect(decayCurrent(-16256, 741)).toBe(-13311);
  });

  test("§10 items 3–4: dv = 0 holds v exactly, dv = 4095 keeps trunc(|v|/4096)", () => {
    expect(decayVoltage(16259, 0)).toBe(16259);
    expect(decayVoltage(16256, 4095)).toBe(3);
    expect(decayVoltage(-16256, 4095)).toBe(-3);
  });

  test("products beyond 2^32 stay exact (no 32-bit truncation)", () => {
    // |v| up to 2^31 − 1 (vmin = −2^31 + 1) times 4096 is ~2^43.
    expect(decayToward0(2 ** 31 - 1, 4096)).toBe(2 ** 31 - 1);
    expect(decayToward0(-(2 ** 31 - 1), 4095)).toBe(-Number((BigInt(2 ** 31 - 1) * 4095n) / 4096n));
    expect(decayToward0(2 ** 23 - 1, 4095)).toBe(Number((BigInt(2 ** 23 - 1) * 4095n) / 4096n));
  });

  test("matches sign(x)·floor(|x|·k/4096) in BigInt", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 4096 }), (x, k) => {
        const ax = BigInt(Math.abs(x));
        const mag = Number((ax * BigInt(k)) / 4096n);
        expect(decayToward0(x, k)).toBe(x < 0 ? 0 - mag : mag);
      }),
      { numRuns: 2000 },
    );
  });

  test("a negative value that decays to nothing gives +0, not −0", () => {
    expect(Object.is(decayToward0(-3, 1), 0)).toBe(true);
    expect(Object.is(decayToward0(-16256, 0), 0)).toBe(true);
    expect(Object.is(decayToward0(-1, 4095), 0)).toBe(true);
    expect(decayToward0(-3, 4095)).toBe(-2);
  });
});

describe("wrapBits (§0.3, §2.6)", () => {
  test("edges of the 21- and 23-bit ranges", () => {
    expect(wrapBits(2 ** 21 - 1, 21)).toBe(2 ** 21 - 1);
    expect(wrapBits(2 ** 21, 21)).toBe(-(2 ** 21)); // §10 item 10: q = 2^21 wraps to −2^21
    expect(wrapBits(-(2 ** 21), 21)).toBe(-(2 ** 21));
    expect(wrapBits(-(2 ** 21) - 1, 21)).toBe(2 ** 21 - 1);
    expect(wrapBits(2 ** 22, 21)).toBe(0);
    expect(wrapBits(2 ** 23, 23)).toBe(-(2 ** 23));
    expect(wrapBits(decayToward0(8381441, 4095) + 2 ** 20, 23)).toBe(-7349246); // §10 item 11, step 10
    expect(wrapBits(3 * 2 ** 24 + 5, 23)).toBe(5);
    expect(wrapBits(-(2 ** 40) - 3, 23)).toBe(-3);
    expect(wrapBits(0, 21)).toBe(0);
  });

  test("matches ((x + 2^b) mod 2^(b+1)) − 2^b in BigInt", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n }), fc.integer({ min: 1, max: 40 }), (x, b) => {
        const span = 2n ** BigInt(b + 1);
        const half = 2n ** BigInt(b);
        const want = ((((x + half) % span) + span) % span) - half;
        expect(wrapBits(Number(x), b)).toBe(Number(want));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("shifts (§0.3)", () => {
  test("asr floors, shl and sh do not truncate to 32 bits", () => {
    expect(asr(7, 1)).toBe(3);
    expect(asr(-7, 1)).toBe(-4);
    expect(asr(-1, 5)).toBe(-1);
    expect(shl(3, 40)).toBe(3 * 2 ** 40);
    expect(sh(255, 7)).toBe(32640);
    expect(sh(-255, -2)).toBe(-64);
    expect(sh(255, -2)).toBe(63);
    expect(sh(2 ** 30, 4)).toBe(2 ** 34);
  });
});

describe("rne (§0.3): round half to even like np.round", () => {
  test("the spec's examples", () => {
    expect(rne(0.5)).toBe(0);
    expect(rne(1.5)).toBe(2);
    expect(rne(2.5)).toBe(2);
    expect(Object.is(rne(-0.5), -0)).toBe(true);
    expect(rne(-1.5)).toBe(-2);
    expect(rne(-2.5)).toBe(-2);
    expect(rne(127.5)).toBe(128); // §3.3: x = 255 → 127.5 → 128
    expect(Object.is(rne(-0.4), -0)).toBe(true);
    expect(rne(0.49999999999999994)).toBe(0); // Math.round(x + 0.5) style tricks get this wrong
    expect(rne(4503599627370495.5)).toBe(4503599627370496);
    expect(rne(2 ** 53)).toBe(2 ** 53);
    expect(Number.isNaN(rne(NaN))).toBe(true);
    expect(rne(-Infinity)).toBe(-Infinity);
  });

  test("agrees with a half-even reference built from exact comparisons", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => {
        const f = Math.floor(x);
        const frac = x - f; // exact for |x| < 2^52 when f and x share the binade (true here for |x| ≥ 1)
        let want = frac < 0.5 ? f : frac > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
        if (want === 0 && (x < 0 || Object.is(x, -0))) want = -0;
        if (Math.abs(x) >= 1) expect(rne(x)).toBe(want);
      }),
      { numRuns: 5000 },
    );
    // == rather than toBe: the half below zero gives −0, which equals 0 numerically.
    for (let k = -20; k <= 20; k++) expect(rne(k + 0.5) === (k % 2 === 0 ? k : k + 1)).toBe(true);
  });
});

describe("fl32, clip", () => {
  test("fl32 rounds to float32", () => {
    expect(fl32(0.1)).toBe(0.10000000149011612);
    expect(fl32(16777217)).toBe(16777216);
  });
  test("clip", () => {
    expect(clip(5, 0, 3)).toBe(3);
    expect(clip(-5, 0, 3)).toBe(0);
    expect(clip(2, 0, 3)).toBe(2);
  });
});

describe("weights (§3.2, §3.3)", () => {
  test("S and the contribution D = shl(sh(Wgt, e), 6)", () => {
    expect(weightShiftS(8, true)).toBe(1);
    expect(weightShiftS(8, false)).toBe(0);
    expect(weightContribution(254, 0)).toBe(16256);
    expect(weightContribution(254, 4)).toBe(260096);
    expect(weightContribution(-256, -6)).toBe(-256); // floor(−256/64)·64
    expect(weightContribution(254, -6)).toBe(192); // floor(254/64) = 3 → 192: the §3.3 table's 25 % loss
    expect(weightContribution(-255, -2)).toBe(-4096);
  });

  test("every entry of the §3.3 table is representable in the 8-bit mixed format", () => {
    const table: [number, number][] = [
      [260096, 4], [16256, 0], [8128, -1], [4032, -2], [1984, -3], [448, -5], [192, -6],
      [102400, 4], [6400, 0], [3200, -1], [1600, -2], [768, -3], [128, -6], [2048, 4], [64, -1],
      [-260096, 4], [-16256, 0], [-8128, -1], [-4096, -2], [-2048, -3], [-512, -5], [-256, -6],
    ];
    for (const [d, e] of table) expect(isRepresentableWeight(d, e, 8, true)).toBe(true);
  });

  test("rejects values the format cannot carry", () => {
    expect(isRepresentableWeight(16320, 0, 8, true)).toBe(false); // 255·64: odd Wgt needs S = 0
    expect(isRepresentableWeight(16320, 0, 8, false)).toBe(true);
    expect(isRepresentableWeight(16384, 0, 8, true)).toBe(false); // 128·128 > 127·128
    expect(isRepresentableWeight(256, -6, 8, true)).toBe(false); // at e = −6 the top is 192
    expect(isRepresentableWeight(-320, -6, 8, true)).toBe(false); // the bottom is −256
    expect(isRepresentableWeight(100, -6, 8, true)).toBe(false); // not a multiple of 64
    expect(isRepresentableWeight(0.5, 0, 8, true)).toBe(false);
  });

  test("agrees with enumerating every stored field", () => {
    const wrong: string[] = [];
    for (const bits of [1, 2, 4, 6, 8]) {
      for (const mixed of [true, false]) {
        const s = weightShiftS(bits, mixed);
        const m = 2 ** (8 - s) - 1;
        for (let e = -7; e <= 7; e++) {
          const reachable = new Set<number>();
          for (let k = -m; k <= m; k++) reachable.add(weightContribution(k * 2 ** s, e));
          const lo = Math.min(...reachable);
          const hi = Math.max(...reachable);
          // Steps of 32 (half the finest unit) at small exponents, coarser above, to stay quick.
          const stride = 2 ** Math.max(5, 4 + e);
          for (let d = lo - 4 * stride; d <= hi + 4 * stride; d += stride) {
            if (isRepresentableWeight(d, e, bits, mixed) !== reachable.has(d)) wrong.push(`D ${d}, e ${e}, ${bits} bits, mixed ${mixed}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("register forms (§1.2, §5.5, §5.7)", () => {
  test("bias = mantissa·2^exp", () => {
    expect(isRepresentableBias(408064)).toBe(true); // 3188·2^7
    expect(isRepresentableBias(524160)).toBe(true); // 4095·2^7
    expect(isRepresentableBias(-1000)).toBe(true);
    expect(isRepresentableBias(4096)).toBe(true); // 2048·2^1
    expect(isRepresentableBias(4097)).toBe(false);
    expect(isRepresentableBias(524288)).toBe(false);
  });
  test("vth = mantissa·64, mantissa 1..131071", () => {
    expect(isRepresentableVth(16320)).toBe(true);
    expect(isRepresentableVth(VTH_MAX)).toBe(true);
    expect(isRepresentableVth(2 ** 23)).toBe(false);
    expect(isRepresentableVth(0)).toBe(false);
    expect(isRepresentableVth(100)).toBe(false);
  });
  test("vmin = −2^k + 1, vmax = 2^(9+2j) − 1", () => {
    expect(isRepresentableVmin(0)).toBe(true);
    expect(isRepresentableVmin(-(2 ** 23) + 1)).toBe(true);
    expect(isRepresentableVmin(-511)).toBe(true);
    expect(isRepresentableVmin(-512)).toBe(false);
    expect(isRepresentableVmax(2 ** 23 - 1)).toBe(true);
    expect(isRepresentableVmax(2047)).toBe(true);
    expect(isRepresentableVmax(4095)).toBe(false);
  });
});
