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

export function toTypedJson(value: unknown): string {
  return JSON.stringify(value, typedReplacer);
}

export function fromTypedJson<T>(text: string): T {
  return JSON.parse(text, typedReviver) as T;
}
