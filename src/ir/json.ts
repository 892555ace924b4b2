/** Canonical JSON for IR: typed arrays become plain arrays, keys keep their declared order. */
export function irReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Float64Array || value instanceof Int32Array || value instanceof Int16Array || value instanceof Float32Array) return Array.from(value);
  return value;
}

export function irToJson(ir: unknown, indent = 0): string {
  return JSON.stringify(ir, irReplacer, indent || undefined);
}
