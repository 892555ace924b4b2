/**
 * Bad input through the real CLI entry point: every file in test/errors declares, in its leading
 * comments, the diagnostic it must produce:
 *
 *   # expect: LMU2001 at 11:13        code and line:column of the reported location (required)
 *   # stage: build                    reserved for errors only a full simulation finds (validate runs the build passes too)
 *   # message-contains: did you mean  text the message must contain
 *
 * Each must give `file:line:col: error LMUxxxx: message`, exit code 2, no stack trace and no output file.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";

interface Expectation {
  file: string;
  code: string;
  line: number;
  column: number;
  buildStage: boolean;
  messageContains: string[];
}

const dir = join("test", "errors");

function expectationOf(name: string): Expectation {
  const file = join(dir, name);
  const header = readFileSync(file, "utf8").split("\n").filter((l) => l.startsWith("#"));
  const m = /^# expect: (LMU\d{4}) at (\d+):(\d+)\s*$/.exec(header[0] ?? "");
  if (!m) throw new Error(`${file}: the first line must be '# expect: LMUxxxx at line:col'`);
  return {
    file,
    code: m[1],
    line: Number(m[2]),
    column: Number(m[3]),
    buildStage: header.some((l) => /^# stage: build\b/.test(l)),
    messageContains: header.filter((l) => l.startsWith("# message-contains: ")).map((l) => l.slice("# message-contains: ".length)),
  };
}

const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map(expectationOf);

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["node", "lmuc", ...args], { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false });
  return { code, out, err };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The first stderr line must be the located diagnostic; nothing may look like a stack trace. */
function expectDiagnostic(err: string, c: Expectation): void {
  const first = err.split("\n")[0];
  expect(first).toMatch(new RegExp(`^${escapeRegExp(c.file)}:${c.line}:${c.column}: error ${c.code}: \\S`));
  for (const text of c.messageContains) expect(first).toContain(text);
  expect(err).not.toMatch(/^\s+at /m);
  expect(err).not.toContain("internal error");
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lmuc-errors-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

test("the error cases cover every bad-input kind the issue lists", () => {
  const codes = new Set(cases.map((c) => c.code));
  // YAML syntax, schema, non-finite, unknown reference, dimension mismatch, algebraic loop, size, neuron parameters
  for (const code of ["LMU1001", "LMU1002", "LMU1003", "LMU2001", "LMU2002", "LMU2003", "LMU2004", "LMU2005"]) expect(codes).toContain(code);
  expect(cases.length).toBeGreaterThanOrEqual(17);
});

describe.each(cases)("$file", (c) => {
  test(`simulate exits 2 with ${c.code} at ${c.line}:${c.column}, no stack trace and no output file`, async () => {
    const out = join(tmp, `${c.file.replace(/\W/g, "_")}.json`);
    const r = await run(["simulate", c.file, "--steps", "10", "--out", out]);
    expect(r.code).toBe(2);
    expectDiagnostic(r.err, c);
    expect(r.out).toBe("");
    expect(existsSync(out)).toBe(false);
  });

  test("simulate --json reports {ok: false, diagnostics: [{code, location}]} on stdout", async () => {
    const r = await run(["simulate", c.file, "--steps", "10", "--json"]);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out) as { ok: boolean; diagnostics: { code: string; severity: string; message: string; location: { file: string; line: number; column: number } }[] };
    expect(doc.ok).toBe(false);
    expect(doc.diagnostics[0]).toMatchObject({ code: c.code, severity: "error", location: { file: c.file, line: c.line, column: c.column } });
    for (const text of c.messageContains) expect(doc.diagnostics[0].message).toContain(text);
  });

  if (!c.buildStage) {
    test("validate reports the same diagnostic, since the frontend finds it", async () => {
      const r = await run(["validate", c.file]);
      expect(r.code).toBe(2);
      expectDiagnostic(r.err, c);
      expect(r.out).toBe("");
    });
  }
});
