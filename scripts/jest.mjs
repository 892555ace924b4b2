// Runs jest under ESM and prints the plain "N passed, N failed" line CI reads, keeping jest's exit code.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A private file: runs started side by side (two checkouts, two terminals) must not read each other's results.
const dir = mkdtempSync(join(tmpdir(), "lmuc-jest-"));
const out = join(dir, "results.json");
const args = [
  "--experimental-vm-modules",
  "--disable-warning=ExperimentalWarning",
  "node_modules/jest/bin/jest.js",
  "--json",
  `--outputFile=${out}`,
  ...process.argv.slice(2),
];
const run = spawnSync(process.execPath, args, { stdio: "inherit" });
let code = run.status ?? 1;
try {
  const report = JSON.parse(readFileSync(out, "utf8"));
  console.log(`jest: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
  if (report.numTotalTests === 0) code = code || 1;
  rmSync(dir, { recursive: true, force: true });
} catch {
  console.log("jest: 0 passed, 1 failed");
  code = code || 1;
}
process.exit(code);
