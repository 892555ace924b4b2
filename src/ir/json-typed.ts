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
 * The same text as JSON.stringify(value, typedReplacer), without a replacer call for every value:
 * typed arrays are wrapped first (in plain objects and arrays; anything else, e.g. a toJSON
 * object, is left to JSON.stringify), so psMNIST's host.json (10⁷ numbers) is one native call.
 */
export function toTypedJson(value: unknown): string {
  return JSON.stringify(wrapTyped(value));
}

function wrapTyped(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Float64Array || value instanceof Int32Array || value instanceof Uint8Array) return typedReplacer("", value);
  if (Array.isArray(value)) return value.map((v) => wrapTyped(v));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = wrapTyped(v);
  return out;
}

export function fromTypedJson<T>(text: string): T {
  return JSON.parse(text, typedReviver) as T;
}
