/** lmuc's public API: load, build, simulate, compile, emulate, compare. */
export { build, loadNetworkFile, loadNetworkObject, loadNetworkText, simulate, simulateWithReference, stepsFor } from "./api.js";
export type { BuiltNetwork, NetworkIR, ProbeResult, SimulationReport, SimulationResult } from "./api.js";
export { compileNetwork as compile, compileNetwork } from "./compile.js";
export type { CompileOptions, CompileReport, CompileResult, HostProgram } from "./compile.js";
export { readBuild, writeBuild } from "./build.js";
export type { LoadedBuild } from "./build.js";
export { EmulatorOverflowError } from "./emulator/engine.js";
export { HardwareRun } from "./emulator/runner.js";
export { runConformance } from "./emulator/conformance.js";
export { compareNetwork } from "./compare/compare.js";
export { renderReportHtml } from "./compare/html.js";
export { loadTarget } from "./target/target.js";
export { DiagnosticError, formatDiagnostic } from "./diagnostics/diagnostic.js";
export type { Diagnostic } from "./diagnostics/diagnostic.js";
