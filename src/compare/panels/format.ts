/** Escaping and fixed, locale-independent number formatting for report.html (deterministic bytes). */

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export const esc = escapeHtml;

export function isNum(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

/** Non-finite values: NaN/null/undefined → "n/a", ±Infinity → "∞". */
export function nonFinite(x: unknown): string {
  if (typeof x === "number" && x === Infinity) return "∞";
  if (typeof x === "number" && x === -Infinity) return "−∞";
  return "n/a";
}

/** Strips a negative sign from a zero result ("-0.00" → "0.00"). */
export function noNegZero(s: string): string {
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Fixed decimals. */
export function fix(x: unknown, decimals: number): string {
  return isNum(x) ? noNegZero(x.toFixed(decimals)) : nonFinite(x);
}

/** `sig` significant digits, plain notation in [1e-3, 1e6), exponent notation outside. */
export function sig(x: unknown, digits = 3): string {
  if (!isNum(x)) return nonFinite(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e6) {
    const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a) + 1e-12));
    return noNegZero(x.toFixed(decimals));
  }
  return x.toExponential(digits - 1);
}

/** Integer with thin-space-free thousands separators (fixed, locale-independent). */
export function int(x: unknown): string {
  if (!isNum(x)) return nonFinite(x);
  const s = Math.round(Math.abs(x)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (x < 0 && Math.round(x) !== 0 ? "−" : "") + s;
}

/** Value in SI units with a prefix, 3 significant digits: siUnit(5.2e-5, "s") → "52.0 µs". */
export function si(x: unknown, unit: string): string {
  if (!isNum(x)) return nonFinite(x);
  if (x === 0) return `0 ${unit}`;
  const prefixes: [number, string][] = [[1e9, "G"], [1e6, "M"], [1e3, "k"], [1, ""], [1e-3, "m"], [1e-6, "µ"], [1e-9, "n"], [1e-12, "p"], [1e-15, "f"]];
  const a = Math.abs(x);
  for (const [scale, p] of prefixes) {
    // Use the prefix if the value rounds to at least 1 at this scale.
    if (a >= scale * 0.9995) return `${sig(x / scale, 3)} ${p}${unit}`;
  }
  return `${sig(x, 3)} ${unit}`;
}

export function pct(fraction: unknown, decimals = 1): string {
  return isNum(fraction) ? `${fix(fraction * 100, decimals)}%` : nonFinite(fraction);
}

/** SVG coordinate: rounded to 0.1 px, shortest form. */
export function r1(x: number): string {
  const v = Math.round(x * 10) / 10;
  return (v === 0 ? 0 : v).toString();
}
