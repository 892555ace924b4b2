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
import { join } from "node:path";
import { diag, DiagnosticError } from "./diagnostics/diagnostic.js";
import { BUILD_FILES, parseHostJson, parseReportJson, relocateSource, reportJson, storedSourceName } from "./backends/loihi/build-files.js";
import { emitChipBytes } from "./backends/loihi/emit.js";
import { readBuildFolder, writeBuildFolder, type BuildManifest, type FileContent } from "./backends/loihi/folder.js";
import { loadCoresBin } from "./backends/loihi/load.js";
import { chipVerifiedFor, type CompileReport, type CompileResult, type HostProgram } from "./compile.js";
import type { ChipConfig } from "./ir/core.js";
import { toTypedJsonParts } from "./ir/json-typed.js";
import { loadTarget, targetHash, type Target } from "./target/target.js";

export interface LoadedBuild {
  readonly dir: string;
  readonly manifest: BuildManifest;
  readonly target: Target;
  readonly chip: ChipConfig;
  readonly host: HostProgram;
  readonly report: CompileReport;
  /** Files the manifest lists beyond those decoded here, verified like them (a trained build's conversion.json). */
  readonly otherFiles: Readonly<Record<string, Uint8Array>>;
}

const sha256 = (s: string | Uint8Array): string => createHash("sha256").update(s).digest("hex");

/** `extraFiles`: written and hashed with the build in the same atomic write (a trained build's conversion.json). */
export function writeBuild(dir: string, compiled: CompileResult, target: Target, source: { file: string; text?: string }, extraFiles: Readonly<Record<string, string>> = {}): BuildManifest {
  return writeBuildFiles(dir, compiled, target, source, extraFiles).manifest;
}

/**
 * writeBuild, returning what readBuildSummary would read back from the folder it wrote, from the
 * bytes it wrote (the report parsed and checked as on reading): a caller that prints the summary
 * does not re-read and re-hash the build (psmnist-shape: 44 MB, ~0.3 s).
 */
export function writeBuildSummary(dir: string, compiled: CompileResult, target: Target, source: { file: string; text?: string }, extraFiles: Readonly<Record<string, string>> = {}): BuildSummary {
  const { manifest, files } = writeBuildFiles(dir, compiled, target, source, extraFiles);
  const report = parseReportJson(Buffer.from(files["report.json"] as string, "utf8"), join(dir, "report.json"));
  const otherFiles = Object.fromEntries(Object.entries(extraFiles).map(([name, text]) => [name, Buffer.from(text, "utf8")]));
  return { dir, manifest, report, otherFiles };
}

function writeBuildFiles(dir: string, compiled: CompileResult, target: Target, source: { file: string; text?: string }, extraFiles: Readonly<Record<string, string>>): { manifest: BuildManifest; files: Record<string, FileContent> } {
  // The network is named by its file name alone (in the manifest and every source location), so
  // the same network gives the same bytes however its path was spelled.
  const file = storedSourceName(source.file);
  const result = relocateSource(compiled, source.file, file);
  // relocateSource changes only file names in source locations, which verification does not read.
  const { chipYamlBytes, coresBin } = emitChipBytes(result.chip, target, { verified: chipVerifiedFor(compiled.chip, target) });
  const files: Record<string, FileContent> = {
    "chip.yaml": chipYamlBytes,
    "cores.bin": coresBin,
    "host.json": [...toTypedJsonParts(result.host), "\n"],
    "report.json": reportJson(result.report),
  };
  for (const [name, text] of Object.entries(extraFiles)) {
    if (name in files) throw new RangeError(`writeBuild: extra file '${name}' would replace the build's own`);
    files[name] = text;
  }
  const manifest = writeBuildFolder(dir, files, {
    target: { name: target.name, sha256: targetHash(target) },
    network: { name: result.report.network, file, ...(source.text !== undefined ? { sha256: sha256(source.text) } : {}) },
    cores: result.chip.cores.length,
    chips: result.report.partition.chips,
    host_only: result.report.hostOnly.map((h) => h.id),
  });
  return { manifest, files };
}

function bad(dir: string, message: string): never {
  throw new DiagnosticError([diag("LMU5002", `${dir}: ${message}`)]);
}

/** A build's manifest, report and extra files, every file's hash checked, without decoding the chip (psMNIST's cores.bin: ~2 s). */
export type BuildSummary = Pick<LoadedBuild, "dir" | "manifest" | "report" | "otherFiles">;

export function readBuildSummary(dir: string): BuildSummary {
  const { manifest, files } = readBuildFolder(dir, BUILD_FILES);
  const report: CompileReport = parseReportJson(files["report.json"], join(dir, "report.json"));
  const otherFiles = Object.fromEntries(Object.entries(files).filter(([name]) => !BUILD_FILES.includes(name)));
  return { dir, manifest, report, otherFiles };
}

export function readBuild(dir: string): LoadedBuild {
  const { manifest, files } = readBuildFolder(dir, BUILD_FILES);
  const t = manifest.target as { name?: unknown; sha256?: unknown } | undefined;
  if (!t || typeof t.name !== "string") bad(dir, "manifest.json does not name its target");
  // A name, never a path: loadTarget would read any file the manifest pointed it at.
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(t.name) || t.name.includes("..")) bad(dir, `manifest.json names target ${JSON.stringify(t.name)}, which is not a target name`);
  const target = loadTarget(t.name);
  if (t.sha256 !== targetHash(target)) bad(dir, `it was compiled for a different version of target '${t.name}' (its hash changed)`);
  const chip = loadCoresBin(files["cores.bin"], target, `${dir}/cores.bin`);
  const host: HostProgram = parseHostJson(files["host.json"], join(dir, "host.json"), chip);
  const report: CompileReport = parseReportJson(files["report.json"], join(dir, "report.json"));
  const otherFiles = Object.fromEntries(Object.entries(files).filter(([name]) => !BUILD_FILES.includes(name)));
  return { dir, manifest, target, chip, host, report, otherFiles };
}
