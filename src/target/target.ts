/**
 * Hardware targets as data: targets/<name>.yaml, checked against schemas/target.schema.json, read
 * into a typed `Target` (camelCase mirror of the YAML). Errors are located diagnostics (LMU1010,
 * file:line:col) like the network front end's. See /work/shared/spec/hardware-model.md.
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { diag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { shown, typeWords } from "../frontend/schema.js";
import { findNonFinite, parseSource, pointerToPath, type JsonPath, type ParsedSource } from "../frontend/source.js";
import { packageRoot } from "../util/paths.js";
import { schemaValidator } from "../util/schema-validator.js";

import type { Range, TargetLimits, TargetMesh, TargetWidths, TargetSynapseMemory, TargetCost, TargetLearning, Target } from "./types.js";

export type { Range, TargetLimits, TargetMesh, TargetWidths, TargetSynapseMemory, TargetCost, TargetLearning, Target };

// ---------------------------------------------------------------- loading

let validator: ValidateFunction | undefined;

function targetValidator(): ValidateFunction {
  // Generated at build time (dist/validators; compiling it here cost every command ~0.1 s), or compiled by ajv here without a build.
  validator ??= schemaValidator("target.schema.json").validate;
  return validator;
}

/** The folder of the shipped targets. */
export function targetsDir(): string {
  return join(packageRoot(), "targets");
}

/** Names of the shipped targets (targets/*.yaml), sorted. */
export function listTargets(): string[] {
  try {
    return readdirSync(targetsDir())
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => f.slice(0, -".yaml".length))
      .sort();
  } catch {
    return [];
  }
}

const BARE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * A bare name ("loihi1") is a shipped target (targets/loihi1.yaml under the package root);
 * anything else is a path to a target file.
 */
export function loadTarget(nameOrPath: string): Target {
  let file = nameOrPath;
  if (BARE_NAME.test(nameOrPath)) {
    file = join(targetsDir(), `${nameOrPath}.yaml`);
    if (!existsSync(file)) {
      const known = listTargets();
      throw new DiagnosticError([
        diag("LMU1010", `unknown target '${nameOrPath}'${known.length > 0 ? ` (available: ${known.join(", ")})` : ""}`, undefined, {
          hint: "give a shipped target's name or the path of a target file (.yaml)",
        }),
      ]);
    }
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new DiagnosticError([diag("LMU8001", `cannot read target file '${file}': ${code}`)]);
  }
  return { ...loadTargetText(text, file), file };
}

export function loadTargetText(text: string, file: string): Target {
  let src: ParsedSource;
  try {
    src = parseSource(text, file);
  } catch (e) {
    // parseSource words an empty document for networks; say it for targets.
    if (e instanceof DiagnosticError && e.diagnostics.some((d) => d.code === "LMU1002")) {
      throw new DiagnosticError([diag("LMU1010", "the target file is empty: expected a target mapping", { file, line: 1, column: 1 })]);
    }
    throw e;
  }
  const bad = findNonFinite(src.value);
  if (bad) throw new DiagnosticError([diag("LMU1003", "NaN and Infinity are not valid target figures", src.locate(bad))]);
  const validate = targetValidator();
  if (!validate(src.value)) throw new DiagnosticError(schemaDiagnostics(src, validate.errors ?? []));
  const target = fromYaml(src.value as YamlTarget);
  const problems = checkTarget(target);
  if (problems.length > 0) {
    throw new DiagnosticError(problems.map((p) => diag("LMU1010", p.message, src.locate(p.path))));
  }
  return target;
}

// ---------------------------------------------------------------- schema errors



function schemaDiagnostics(src: ParsedSource, errors: readonly ErrorObject[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const path = pointerToPath(e.instancePath);
    const where = e.instancePath === "" ? "the target" : `'${path.join(".")}'`;
    let message: string;
    let at = src.locate(path);
    switch (e.keyword) {
      case "additionalProperties": {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        message = `unknown field '${key}' in ${where}${allowed.length > 0 ? ` (accepted: ${allowed.join(", ")})` : ""}`;
        at = src.locate([...path, key], true);
        break;
      }
      case "required":
        message = `${where} is missing the required field '${(e.params as { missingProperty: string }).missingProperty}'`;
        at = src.locate(path, path.length > 0);
        break;
      case "type":
        message = `${where} must be ${typeWords((e.params as { type: string }).type)}, got ${shown(e.data)}`;
        break;
      case "const":
        message = `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, got ${shown(e.data)}`;
        break;
      case "pattern":
        message = `${where} must be a name of letters, digits, _ and -, starting with a letter, got ${shown(e.data)}`;
        break;
      default:
        message = `${where} ${e.message ?? "is invalid"}, got ${Array.isArray(e.data) ? `${e.data.length} items` : shown(e.data)}`;
    }
    const key = `${at.line}:${at.column}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(diag("LMU1010", message, at));
  }
  out.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0));
  return out.slice(0, 20);
}

// ---------------------------------------------------------------- YAML → Target

interface YamlRange {
  min: number;
  max: number;
}

interface YamlTarget {
  format: "lmuc-target/1";
  name: string;
  description: string;
  limits: {
    compartments_per_core: number;
    input_axons_per_core: number;
    output_axons_per_core: number;
    synapse_bits_per_core: number;
    cx_profiles_per_core: number;
    vth_profiles_per_core: number;
    synapse_formats_per_core: number;
    refract_delay: YamlRange;
    delay_slots: number;
    compartment_base: YamlRange;
    cores_per_chip: number;
    chips_per_board: number;
  };
  mesh: { tiles_x: number; tiles_y: number; cores_per_tile: number };
  widths: {
    decay_bits: number;
    refract_delay_bits: number;
    vth_mant_bits: number;
    vth_exp: number;
    bias_mant_bits: number;
    bias_exp_bits: number;
    weight_field_bits: number;
    weight_bits_options: number[];
    weight_exp: YamlRange;
    weight_exp_bits: number;
    weight_shift: number;
    idx_bits_options: number[];
    q_bits: number;
    u_bits: number;
    v_bits: number;
    vmin_exp_max: number;
    vmax_exp_base: number;
    vmax_exp_step: number;
    vmax_code_max: number;
  };
  synapse_memory: { chunk_entries: number; format_id_bits: number; count_bits: number; word_bits: number; delay_bits: number; tag_bits: number };
  cost: Record<string, number | boolean>;
  learning?: Record<string, number>;
}

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function fromYaml(y: YamlTarget): Target {
  const r = (x: YamlRange): Range => ({ min: x.min, max: x.max });
  const l = y.limits;
  const w = y.widths;
  const s = y.synapse_memory;
  const cost: Record<string, number | boolean> = {};
  for (const [k, v] of Object.entries(y.cost)) cost[camel(k)] = v;
  return {
    format: y.format,
    name: y.name,
    description: y.description.trim(),
    limits: {
      compartmentsPerCore: l.compartments_per_core,
      inputAxonsPerCore: l.input_axons_per_core,
      outputAxonsPerCore: l.output_axons_per_core,
      synapseBitsPerCore: l.synapse_bits_per_core,
      cxProfilesPerCore: l.cx_profiles_per_core,
      vthProfilesPerCore: l.vth_profiles_per_core,
      synapseFormatsPerCore: l.synapse_formats_per_core,
      refractDelay: r(l.refract_delay),
      delaySlots: l.delay_slots,
      compartmentBase: r(l.compartment_base),
      coresPerChip: l.cores_per_chip,
      chipsPerBoard: l.chips_per_board,
    },
    mesh: { tilesX: y.mesh.tiles_x, tilesY: y.mesh.tiles_y, coresPerTile: y.mesh.cores_per_tile },
    widths: {
      decayBits: w.decay_bits,
      refractDelayBits: w.refract_delay_bits,
      vthMantBits: w.vth_mant_bits,
      vthExp: w.vth_exp,
      biasMantBits: w.bias_mant_bits,
      biasExpBits: w.bias_exp_bits,
      weightFieldBits: w.weight_field_bits,
      weightBitsOptions: [...w.weight_bits_options],
      weightExp: r(w.weight_exp),
      weightExpBits: w.weight_exp_bits,
      weightShift: w.weight_shift,
      idxBitsOptions: [...w.idx_bits_options],
      qBits: w.q_bits,
      uBits: w.u_bits,
      vBits: w.v_bits,
      vminExpMax: w.vmin_exp_max,
      vmaxExpBase: w.vmax_exp_base,
      vmaxExpStep: w.vmax_exp_step,
      vmaxCodeMax: w.vmax_code_max,
    },
    synapseMemory: {
      chunkEntries: s.chunk_entries,
      formatIdBits: s.format_id_bits,
      countBits: s.count_bits,
      wordBits: s.word_bits,
      delayBits: s.delay_bits,
      tagBits: s.tag_bits,
    },
    cost: cost as unknown as TargetCost,
    ...(y.learning === undefined ? {} : { learning: Object.fromEntries(Object.entries(y.learning).map(([k, v]) => [camel(k), v])) as unknown as TargetLearning }),
  };
}

/** Consistency rules the schema cannot express; each names the YAML path to blame. */
function checkTarget(t: Target): { path: JsonPath; message: string }[] {
  const out: { path: JsonPath; message: string }[] = [];
  const l = t.limits;
  const w = t.widths;
  const range = (r: Range, path: JsonPath): void => {
    if (r.min > r.max) out.push({ path: [...path, "min"], message: `'${path.join(".")}': min ${r.min} is above max ${r.max}` });
  };
  range(l.refractDelay, ["limits", "refract_delay"]);
  range(l.compartmentBase, ["limits", "compartment_base"]);
  range(w.weightExp, ["widths", "weight_exp"]);
  if (l.refractDelay.min < 1) out.push({ path: ["limits", "refract_delay", "min"], message: "'limits.refract_delay.min' must be at least 1 (1 = no refractory period)" });
  if (l.refractDelay.max >= 2 ** w.refractDelayBits) {
    out.push({ path: ["limits", "refract_delay", "max"], message: `'limits.refract_delay.max' ${l.refractDelay.max} does not fit widths.refract_delay_bits = ${w.refractDelayBits}` });
  }
  const m = t.mesh;
  if (m.tilesX * m.tilesY * m.coresPerTile !== l.coresPerChip) {
    out.push({ path: ["mesh"], message: `mesh ${m.tilesX} × ${m.tilesY} tiles of ${m.coresPerTile} cores holds ${m.tilesX * m.tilesY * m.coresPerTile} cores, but limits.cores_per_chip is ${l.coresPerChip}` });
  }
  if (w.weightExp.min < -(2 ** (w.weightExpBits - 1)) || w.weightExp.max > 2 ** (w.weightExpBits - 1) - 1) {
    out.push({ path: ["widths", "weight_exp"], message: `'widths.weight_exp' ${w.weightExp.min}..${w.weightExp.max} does not fit widths.weight_exp_bits = ${w.weightExpBits} (signed)` });
  }
  for (const [key, opts] of [["weight_bits_options", w.weightBitsOptions], ["idx_bits_options", w.idxBitsOptions]] as const) {
    for (let i = 1; i < opts.length; i++) {
      if (opts[i] <= opts[i - 1]) {
        out.push({ path: ["widths", key, i], message: `'widths.${key}' must be strictly increasing (the index is the register code)` });
        break;
      }
    }
  }
  const maxWb = Math.max(...w.weightBitsOptions);
  if (maxWb >= w.weightFieldBits) {
    out.push({ path: ["widths", "weight_bits_options"], message: `'widths.weight_bits_options' allows ${maxWb} weight bits, but the signed weight field has only ${w.weightFieldBits} bits` });
  }
  if (w.vminExpMax > w.vBits) out.push({ path: ["widths", "vmin_exp_max"], message: `'widths.vmin_exp_max' ${w.vminExpMax} exceeds widths.v_bits = ${w.vBits}` });
  if (w.vmaxExpBase + w.vmaxExpStep * w.vmaxCodeMax > w.vBits) {
    out.push({ path: ["widths", "vmax_code_max"], message: `the largest vmax 2^${w.vmaxExpBase + w.vmaxExpStep * w.vmaxCodeMax} − 1 exceeds widths.v_bits = ${w.vBits}` });
  }
  if (l.synapseBitsPerCore % t.synapseMemory.wordBits !== 0) {
    out.push({ path: ["limits", "synapse_bits_per_core"], message: `'limits.synapse_bits_per_core' must be a multiple of synapse_memory.word_bits = ${t.synapseMemory.wordBits}` });
  }
  if (l.delaySlots & (l.delaySlots - 1)) out.push({ path: ["limits", "delay_slots"], message: "'limits.delay_slots' must be a power of two" });
  return out;
}

// ---------------------------------------------------------------- helpers

/** Tile coordinates of the core with per-chip number `localCore` (§7.2: tile = ⌊c / coresPerTile⌋, x = tile mod tilesX). */
export function coreTile(localCore: number, target: Target): { tile: number; x: number; y: number } {
  const tile = Math.floor(localCore / target.mesh.coresPerTile);
  return { tile, x: tile % target.mesh.tilesX, y: Math.floor(tile / target.mesh.tilesX) };
}

function canonical(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(canonical);
  if (typeof x === "object" && x !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x).sort()) out[k] = canonical((x as Record<string, unknown>)[k]);
    return out;
  }
  return x;
}

/** The target as canonical JSON: sorted keys, no whitespace, without `file`. */
export function canonicalTargetJson(target: Target): string {
  const { file: _file, ...rest } = target;
  return JSON.stringify(canonical(rest));
}

/** sha256 (hex) of the canonical JSON: identifies the target a build was made for. */
export function targetHash(target: Target): string {
  return createHash("sha256").update(canonicalTargetJson(target)).digest("hex");
}
