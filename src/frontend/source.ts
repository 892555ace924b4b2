/**
 * YAML/JSON text → a plain value plus a locator that maps a JSON path back to line:column.
 * JSON is parsed by the same YAML 1.2 parser, so both formats get the same locations.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { diag, DiagnosticError, type Diagnostic, type SourceLocation } from "../diagnostics/diagnostic.js";

export type JsonPath = readonly (string | number)[];

export interface ParsedSource {
  readonly file: string;
  readonly value: unknown;
  /** Location of the value at `path`; `key: true` points at the mapping key instead. */
  locate(path: JsonPath, key?: boolean): SourceLocation;
}

/** JSON pointer (RFC 6901, as ajv reports) → path segments; numeric segments become indices. */
export function pointerToPath(pointer: string): JsonPath {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((seg) => seg.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

export function pathToPointer(path: JsonPath): string {
  return "/" + path.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

export function parseSource(text: string, file: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const at = (offset: number, path?: JsonPath): SourceLocation => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col, ...(path ? { path: pathToPointer(path) } : {}) };
  };
  if (doc.errors.length > 0) {
    const diagnostics: Diagnostic[] = doc.errors.map((e) => {
      let offset = e.pos[0];
      // Bad indentation is reported at the start of the line; point at the misplaced token instead.
      if (e.code === "BAD_INDENT") while (text[offset] === " ") offset++;
      const loc = at(offset);
      if (e.code === "DUPLICATE_KEY") {
        const lineEnd = text.indexOf("\n", offset);
        const key = /^(?:"([^"]*)"|'([^']*)'|([^:\n]+?))\s*:/.exec(text.slice(offset, lineEnd < 0 ? undefined : lineEnd));
        const name = key ? (key[1] ?? key[2] ?? key[3]) : undefined;
        return diag("LMU1004", `duplicate key${name !== undefined ? ` '${name}'` : ""}: a key may appear only once in a mapping`, loc, { hint: "remove one of the two, or rename one" });
      }
      return diag("LMU1001", firstLine(e.message), loc);
    });
    throw new DiagnosticError(diagnostics);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new DiagnosticError([diag("LMU1001", (e as Error).message, { file, line: 1, column: 1 })]);
  }
  if (value === null || value === undefined) {
    throw new DiagnosticError([diag("LMU1002", "the file is empty: expected a network mapping", { file, line: 1, column: 1 })]);
  }
  const locate = (path: JsonPath, key = false): SourceLocation => {
    const node = nodeAt(doc, path, key);
    const offset = node?.range?.[0] ?? 0;
    return at(offset, path);
  };
  return { file, value, locate };
}

function firstLine(message: string): string {
  const line = message.split("\n")[0];
  return line.replace(/ at line \d+, column \d+:?$/, "");
}

/** The deepest existing node along `path` (so a missing key points at its parent mapping). */
function nodeAt(doc: Document, path: JsonPath, key: boolean): Node | undefined {
  let node: unknown = doc.contents;
  let found: Node | undefined = isNodeLike(node) ? node : undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return found;
      if (key && i === path.length - 1 && isNodeLike(pair.key)) return pair.key;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(seg)];
    } else {
      return found;
    }
    if (isNodeLike(node)) found = node;
    else return found;
  }
  return found;
}

function isNodeLike(x: unknown): x is Node {
  return typeof x === "object" && x !== null && "range" in x;
}

/** NaN and ±Infinity are valid YAML (.nan, .inf) but never a valid parameter. */
export function findNonFinite(value: unknown, path: (string | number)[] = []): JsonPath | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findNonFinite(value[i], [...path, i]);
      if (p) return p;
    }
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const p = findNonFinite(v, [...path, k]);
      if (p) return p;
    }
  }
  return undefined;
}

/**
 * Largest magnitude accepted for a parameter value. Radii, weights, function values and inputs
 * beyond it overflow float products in the decoder solve and leave no usable fixed-point scale on
 * the chip; nothing in a network needs them.
 */
export const MAX_MAGNITUDE = 1e9;

/** Counts and seeds, bounded by their own range checks (LMU2004) rather than by MAX_MAGNITUDE. */
const COUNT_KEYS = new Set(["seed", "n_neurons", "n_neurons_per_dimension", "dimensions", "order", "n_eval_points", "count", "size_in", "shape", "lmuc"]);

/** The first number above MAX_MAGNITUDE in magnitude, outside counts and seeds. */
export function findHuge(value: unknown, path: (string | number)[] = []): JsonPath | undefined {
  if (typeof value === "number") return Math.abs(value) > MAX_MAGNITUDE ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findHuge(value[i], [...path, i]);
      if (p) return p;
    }
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (COUNT_KEYS.has(k)) continue;
      const p = findHuge(v, [...path, k]);
      if (p) return p;
    }
  }
  return undefined;
}
