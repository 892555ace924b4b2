/**
 * JSON that round-trips typed arrays: Float64Array ↔ {"$f64": [...]}, Int32Array ↔ {"$i32": [...]},
 * Uint8Array ↔ {"$u8": [...]}. Numbers are written shortest-round-trip, so values are exact.
 */
export function typedReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Float64Array) return { $f64: Array.from(value) };
  if (value instanceof Int32Array) return { $i32: Array.from(value) };
  if (value instanceof Uint8Array) return { $u8: Array.from(value) };
  return value;
}

export function typedReviver(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      if (Array.isArray(o.$f64)) return Float64Array.from(o.$f64 as number[]);
      if (Array.isArray(o.$i32)) return Int32Array.from(o.$i32 as number[]);
      if (Array.isArray(o.$u8)) return Uint8Array.from(o.$u8 as number[]);
    }
  }
  return value;
}

/**
 * The same text as JSON.stringify(value, typedReplacer), without copying typed arrays into JS
 * arrays: each is stood in for by a marker string, the rest stringified natively, and each
 * marker replaced by the array's own join (for finite numbers the same digits JSON writes; an
 * array holding NaN or ±Infinity, which JSON writes as null, is copied as before). psMNIST's
 * host.json holds 10⁷ numbers: Array.from made ~80 MB of arrays the GC then walked.
 */
export function toTypedJson(value: unknown): string {
  return toTypedJsonParts(value).join("");
}

/** toTypedJson's text as pieces, in order (a build writes them without joining them first). */
export function toTypedJsonParts(value: unknown): string[] {
  const arrays: TypedArray[] = [];
  const text = JSON.stringify(wrapTyped(value, arrays));
  if (arrays.length === 0) return [text];
  const parts = text.split(MARKER_PATTERN);
  // A string of the value's own that looks like a marker would be split too: then copy as before.
  if (parts.length !== 2 * arrays.length + 1 || parts.some((p, k) => k % 2 === 1 && p !== String(k >> 1))) return [JSON.stringify(value, typedReplacer)];
  for (let k = 1; k < parts.length; k += 2) parts[k] = typedText(arrays[k >> 1]);
  return parts;
}

type TypedArray = Float64Array | Int32Array | Uint8Array;

/** The marker's text as JSON writes it: `"\u0000typed:<index>\u0000"`. */
const MARKER_PATTERN = /"\\u0000typed:(\d+)\\u0000"/;
const marker = (index: number): string => `\u0000typed:${index}\u0000`;

function typedText(a: TypedArray): string {
  const tag = a instanceof Float64Array ? "$f64" : a instanceof Int32Array ? "$i32" : "$u8";
  if (a instanceof Float64Array) {
    let z = 0;
    for (let i = 0; i < a.length; i++) z += a[i] * 0;
    if (z !== 0) return JSON.stringify(typedReplacer("", a));
  }
  return `{"${tag}":[${a.join(",")}]}`;
}

function wrapTyped(value: unknown, arrays: TypedArray[]): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Float64Array || value instanceof Int32Array || value instanceof Uint8Array) {
    arrays.push(value);
    return marker(arrays.length - 1);
  }
  if (Array.isArray(value)) return value.map((v) => wrapTyped(v, arrays));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = wrapTyped(v, arrays);
  return out;
}

export function fromTypedJson<T>(text: string): T {
  return JSON.parse(text, typedReviver) as T;
}
