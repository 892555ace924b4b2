/**
 * Build folders: what `lmuc compile` writes and `lmuc inspect` / `lmuc emulate` read.
 *   manifest.json  format, versions, sha256 of every file, the target's hash, the network's source
 *   chip.yaml      human-readable per-core tables
 *   cores.bin      packed register images (the complete configuration: the emulator loads this)
 *   host.json      the host program: nodes, spike encoders, decoding of chip spikes, probes
 *   report.json    the compile report: cores vs lower bound, utilisation, quantization, placement
 * Written atomically; every file's hash is checked when read back.
 */
import { createHash } from "node:crypto";
import { diag, DiagnosticError } from "./diagnostics/diagnostic.js";
import { emitChip } from "./backends/loihi/emit.js";
import { readBuildFolder, writeBuildFolder, type BuildManifest } from "./backends/loihi/folder.js";
import { loadCoresBin } from "./backends/loihi/load.js";
import type { CompileReport, CompileResult, HostProgram } from "./compile.js";
import type { ChipConfig } from "./ir/core.js";
import { fromTypedJson, toTypedJson } from "./ir/json-typed.js";
import { irReplacer } from "./ir/json.js";
import { loadTarget, targetHash, type Target } from "./target/target.js";

export interface LoadedBuild {
  readonly dir: string;
  readonly manifest: BuildManifest;
  readonly target: Target;
  readonly chip: ChipConfig;
  readonly host: HostProgram;
  readonly report: CompileReport;
}

const sha256 = (s: string | Uint8Array): string => createHash("sha256").update(s).digest("hex");

export function writeBuild(dir: string, result: CompileResult, target: Target, source: { file: string; text?: string }): BuildManifest {
  const { chipYaml, coresBin } = emitChip(result.chip, target);
  const files: Record<string, string | Uint8Array> = {
    "chip.yaml": chipYaml,
    "cores.bin": coresBin,
    "host.json": toTypedJson(result.host) + "\n",
    "report.json": JSON.stringify(result.report, irReplacer, 1) + "\n",
  };
  return writeBuildFolder(dir, files, {
    target: { name: target.name, sha256: targetHash(target) },
    network: { name: result.report.network, file: source.file, ...(source.text !== undefined ? { sha256: sha256(source.text) } : {}) },
    cores: result.chip.cores.length,
    chips: result.report.partition.chips,
    host_only: result.report.hostOnly.map((h) => h.id),
  });
}

function bad(dir: string, message: string): never {
  throw new DiagnosticError([diag("LMU5002", `${dir}: ${message}`)]);
}

export function readBuild(dir: string): LoadedBuild {
  const { manifest, files } = readBuildFolder(dir);
  for (const name of ["cores.bin", "host.json", "report.json"]) if (!files[name]) bad(dir, `the build has no ${name}`);
  const t = manifest.target as { name?: unknown; sha256?: unknown } | undefined;
  if (!t || typeof t.name !== "string") bad(dir, "manifest.json does not name its target");
  const target = loadTarget(t.name);
  if (t.sha256 !== targetHash(target)) bad(dir, `it was compiled for a different version of target '${t.name}' (its hash changed)`);
  const chip = loadCoresBin(files["cores.bin"], target, `${dir}/cores.bin`);
  let host: HostProgram, report: CompileReport;
  try {
    host = fromTypedJson<HostProgram>(files["host.json"].toString("utf8"));
    report = JSON.parse(files["report.json"].toString("utf8")) as CompileReport;
  } catch (e) {
    return bad(dir, `host.json or report.json is not valid JSON (${(e as Error).message})`);
  }
  if (host?.format !== "lmuc-host/1" || !host.network || !Array.isArray(host.placements)) bad(dir, "host.json is not an lmuc host program (format lmuc-host/1)");
  return { dir, manifest, target, chip, host, report };
}
