/** Endpoint strings: `id`, `id.neurons`, each optionally sliced: `[2]`, `[1:3]`, `[::2]`, `[-1]`, `[0,2,5]`. */
export interface RawEndpoint {
  readonly id: string;
  readonly part: "value" | "neurons";
  readonly slice?: string;
  readonly text: string;
}

export function parseEndpoint(text: string): RawEndpoint {
  const m = /^([A-Za-z_][A-Za-z0-9_-]*)(\.neurons)?(?:\[([^\]]*)\])?$/.exec(text);
  if (!m) throw new SliceError(`'${text}' is not an endpoint (id, id.neurons, optionally with a slice such as id[0:2])`);
  return { id: m[1], part: m[2] ? "neurons" : "value", ...(m[3] !== undefined ? { slice: m[3] } : {}), text };
}

export class SliceError extends Error {}

/** Python slice semantics on a sequence of `size` components. */
export function resolveSlice(slice: string | undefined, size: number): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (slice === undefined) return all;
  const s = slice.trim();
  const index = (t: string, what: string): number => {
    if (!/^-?\d+$/.test(t.trim())) throw new SliceError(`slice ${what} '${t}' is not an integer`);
    return Number(t.trim());
  };
  if (s.includes(":")) {
    const parts = s.split(":");
    if (parts.length > 3) throw new SliceError(`slice '[${slice}]' has too many ':'`);
    const step = parts[2] !== undefined && parts[2].trim() !== "" ? index(parts[2], "step") : 1;
    if (step === 0) throw new SliceError("slice step cannot be 0");
    const norm = (t: string | undefined, dflt: number): number => {
      if (t === undefined || t.trim() === "") return dflt;
      const v = index(t, "bound");
      const w = v < 0 ? v + size : v;
      return step > 0 ? Math.min(Math.max(w, 0), size) : Math.min(Math.max(w, -1), size - 1);
    };
    const start = norm(parts[0], step > 0 ? 0 : size - 1);
    const stop = norm(parts[1], step > 0 ? size : -1);
    const out: number[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
    if (out.length === 0) throw new SliceError(`slice '[${slice}]' selects nothing from ${size} components`);
    return out;
  }
  const items = s.split(",").filter((t) => t.trim() !== "");
  if (items.length === 0) throw new SliceError("empty slice");
  return items.map((t) => {
    const v = index(t, "index");
    const w = v < 0 ? v + size : v;
    if (w < 0 || w >= size) {
      throw new SliceError(size === 0 ? `index ${v} is out of range: there are no components` : `index ${v} is out of range for ${size} component${size === 1 ? "" : "s"} (valid: 0 to ${size - 1}, or -${size} to -1 counting from the end)`);
    }
    return w;
  });
}
