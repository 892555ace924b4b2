/**
 * A seeded structural mutator over parsed network documents: it changes values (types, signs,
 * huge and tiny magnitudes, number-like strings), removes and adds keys, rewrites endpoints and
 * slices, swaps in distributions and data-file references, and copies values from one place to
 * another. Deterministic for a seed, so any failing case is reproduced by its case number.
 */

/** mulberry32: small, fast, and good enough to pick mutations. */
export function rngFor(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const NUMBERS = [0, -0, 1, -1, 2, 3, 0.5, -0.5, 1e-3, 1e-308, 5e-324, 1e308, -1e308, 1e9, 1e9 + 1, -1e9 - 1, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e15, 100000, 65537, 4097, 0.1, 1e-12, 7.5, 1 / 3];
const STRINGS = ["", "x", "NaN", "nan", ".nan", "inf", "-.inf", "1e999", "0x10", "1_000", "true", "null", "lif", "ideal", "neurons", "zoh", "uniform", "a", "a.neurons", "a[0]", "a[1:]", "a[::-1]", "a[0,0]", "a[9]", "a[-9]", "a[0:0]", "a[::0]", "mem", "mem.neurons", "mem.neurons[0]", "mem[2]", "pass[0]", "noise", "nope", "é", "a b", "__proto__", "constructor", "data/scalar.npy", "data/missing.csv", "../../package.json", "data"];
const DISTS: Json[] = [
  { dist: "uniform", low: 1, high: 0 },
  { dist: "uniform", low: -1, high: 1, integer: true },
  { dist: "uniform", low: 0.5, high: 0.5 },
  { dist: "gaussian", mean: 0, std: 0 },
  { dist: "gaussian", mean: 1e308, std: 1 },
  { dist: "gaussian", mean: 0, std: 1e-308 },
  { dist: "choice", options: [[1], [2, 3]] },
  { dist: "choice", options: [] },
  { dist: "choice", options: [[]] },
  { dist: "choice", options: [[0.5, -0.5], [1, 0]] },
  { dist: "uniform-hypersphere", surface: true },
  { dist: "uniform-hypersphere", min_magnitude: 1 },
  { dist: "scattered-hypersphere", count: 1 },
  { dist: "scattered-hypersphere", count: 1000000 },
  { dist: "bogus" },
];
const FILES: Json[] = [{ file: "data/scalar.npy" }, { file: "data/two-cols.csv" }, { file: "data/six.csv" }, { file: "data/missing.npy" }, { file: "data" }, { file: "/dev/zero.csv" }, { shape: [2, 2], data: [1, 2, 3, 4] }, { shape: [0], data: [] }, { shape: [3], data: [1] }, { shape: [1, 0], data: [] }];
const SHAPES: Json[] = [[], [[]], [[1, 2], [3]], [[1], [2]], [1, 2, 3], [[1e308, -1e308]], {}, { kind: "constant", value: [] }, { kind: "white-noise", period: 100000, high: 2 }, { kind: "white-noise", period: 0.1, high: 2 }, { kind: "data", values: [] }, { tabulated: { x: [0, 0], y: [1, 2] } }, { "legendre-delay": 1e9 }, { lowpass: -1 }, { type: "lif", tau_rc: 1e-308 }, { type: "lif", tau_ref: 100, tau_rc: 1e-9 }, { type: "lif-rate", tau_ref: 0 }, { kind: "neurons", layout: "per-dimension", n_neurons: 3 }];

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)];
}

/** Every path in the document (values at any depth, the root excluded). */
function paths(doc: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(doc)) doc.forEach((v, i) => { out.push([...prefix, i]); paths(v, [...prefix, i], out); });
  else if (doc !== null && typeof doc === "object") for (const [k, v] of Object.entries(doc)) { out.push([...prefix, k]); paths(v, [...prefix, k], out); }
  return out;
}

function get(doc: Json, path: Path): Json {
  return path.reduce<Json>((o, k) => (o as Record<string | number, Json>)[k], doc);
}

function set(doc: Json, path: Path, value: Json | undefined): void {
  const parent = get(doc, path.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, Json>)[key as string];
  } else (parent as Record<string | number, Json>)[key] = value;
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** A new value for `old`: mostly of the same kind, sometimes of any kind. */
function replacement(rnd: () => number, old: Json, doc: Json): Json {
  const r = rnd();
  if (typeof old === "number" && r < 0.8) {
    const ops = [() => -old, () => old * 1e6, () => old / 1e6, () => old + 0.5, () => Math.round(old) + 1, () => Math.floor(old / 2), () => pick(rnd, NUMBERS)];
    return pick(rnd, ops)();
  }
  if (typeof old === "string" && r < 0.7) return pick(rnd, STRINGS);
  if (Array.isArray(old) && r < 0.5) {
    const ops: (() => Json)[] = [() => [], () => old.slice(1), () => [...old, ...old], () => old.map((v) => (Array.isArray(v) ? v.slice(1) : v)), () => [old]];
    return pick(rnd, ops)();
  }
  const kinds: (() => Json)[] = [
    () => pick(rnd, NUMBERS),
    () => pick(rnd, STRINGS),
    () => clone(pick(rnd, DISTS)),
    () => clone(pick(rnd, FILES)),
    () => clone(pick(rnd, SHAPES)),
    () => null,
    () => rnd() < 0.5,
    () => clone(get(doc, pick(rnd, paths(doc)))), // a value from elsewhere in the same network
  ];
  return pick(rnd, kinds)();
}

const EXTRA_KEYS = ["dimensions", "n_neurons", "size_in", "function", "synapse", "transform", "seed", "radius", "decoders", "eval_points", "extra", "layout", "attr", "sample_every", "neuron", "output", "kind", "dist", "file", "order", "theta"];

/** One value changed within its kind (a number stays a number): such cases pass the schema and reach the build. */
function gentle(doc: Json, rnd: () => number): void {
  const leaves = paths(doc).filter((p) => typeof get(doc, p) === "number" || typeof get(doc, p) === "string");
  if (leaves.length === 0) return;
  const path = pick(rnd, leaves);
  const old = get(doc, path);
  if (typeof old === "number") {
    const ops = [() => -old, () => old * 10, () => old / 10, () => old * 1e3, () => old / 1e3, () => old + 1, () => old - 1, () => 0, () => Math.round(old * 2) / 2, () => pick(rnd, NUMBERS)];
    set(doc, path, pick(rnd, ops)());
  } else set(doc, path, pick(rnd, STRINGS));
}

/** Applies 1–3 mutations to a copy of `base`; half the time one gentle one. */
export function mutate(base: Json, rnd: () => number): Json {
  const doc = clone(base);
  if (rnd() < 0.5) {
    gentle(doc, rnd);
    return doc;
  }
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) {
    const all = paths(doc);
    if (all.length === 0) break;
    const path = pick(rnd, all);
    const old = get(doc, path);
    const r = rnd();
    if (r < 0.6) set(doc, path, replacement(rnd, old, doc));
    else if (r < 0.75) set(doc, path, undefined);
    else if (r < 0.9 && old !== null && typeof old === "object" && !Array.isArray(old)) (old as Record<string, Json>)[pick(rnd, EXTRA_KEYS)] = replacement(rnd, 1, doc);
    else if (Array.isArray(old)) old.push(clone(old.length > 0 ? pick(rnd, old) : 0));
    else set(doc, path, replacement(rnd, old, doc));
  }
  return doc;
}

export type { Json };
