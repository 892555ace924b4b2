// `lmuc verify` on the PES conformance vectors: PASS with the number of updates compared, the
// first learning mismatch named by group, step, axon, expected and got (exit 1), and a vector
// requiring an unimplemented feature refused with LMU6101 (exit 2), not run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { expectCleanError, lmuc } from "../helpers/cli.js";

const PES_SMALL = join("test", "fixtures", "conformance", "pes-small.json.gz");
const readVector = (): any => JSON.parse(gunzipSync(readFileSync(PES_SMALL)).toString("utf8"));
let tmp = "";
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lmuc-verify-learning-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test("pes-small: PASS after 500 trace and 250 weight updates (every 2 and 4 of 1000 steps)", async () => {
  const r = await lmuc("verify", PES_SMALL);
  expect(r.code).toBe(0);
  expect(r.out).toBe(`PASS ${PES_SMALL}: pes-small (with 500 trace and 250 weight updates), 1000 steps bit-exact\n`);
});

test("a recorded weight changed by one lattice step: FAIL naming group, step, axon, readout, exit 1", async () => {
  const v = readVector();
  // Weight update 6 is step 24; axon 3, readout 0 (compartment readout_start + 0 = 50).
  const [step, rows] = v.expected.learning[0].weights[5] as [number, number[][]];
  const want = rows[3][0];
  rows[3][0] += 2048;
  const file = join(tmp, "pes-small-weight.json");
  writeFileSync(file, JSON.stringify(v));
  const r = await lmuc("verify", file);
  expect(r.code).toBe(1);
  expect(r.out).toBe(`FAIL ${file}: pes-small: first mismatch at learning group 0, step ${step}, axon 3, readout compartment 50, weight: expected ${want + 2048}, got ${want}\n`);
  expectCleanError(r);
});

test("requires with an unimplemented feature: LMU6101 naming it, exit 2", async () => {
  const v = readVector();
  v.requires = ["learning", "graded-spikes"];
  const file = join(tmp, "pes-small-requires.json");
  writeFileSync(file, JSON.stringify(v));
  const r = await lmuc("verify", file);
  expect(r.code).toBe(2);
  expect(r.out).toBe("");
  expect(r.err).toMatch(/^lmuc: error LMU6101: .*requires the feature "graded-spikes", which this emulator does not implement/);
  expectCleanError(r);
});
