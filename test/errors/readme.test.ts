/** The README's error section must show what the tool really does and list every code it emits. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { BEGIN, codesTable, END } from "../../scripts/gen-codes-table.js";
import { main } from "../../src/cli/main.js";
import { CODES } from "../../src/diagnostics/codes.js";

const readme = readFileSync("README.md", "utf8");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

test("the README's code table is the one generated from codes.ts (run npm run codes-table after adding a code)", () => {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  expect(a).toBeGreaterThan(0);
  expect(readme.slice(a + BEGIN.length, b).trim()).toBe(codesTable());
});

test("every code a source file emits has a row in the README's table", () => {
  const emitted = new Set(sourceFiles("src").filter((f) => !f.endsWith("codes.ts")).flatMap((f) => readFileSync(f, "utf8").match(/"LMU\d{4}"/g) ?? []).map((s) => s.slice(1, -1)));
  // Dozens of codes are emitted; a scan that finds few is broken, not the README.
  expect(emitted.size).toBeGreaterThan(25);
  for (const code of emitted) {
    expect(Object.keys(CODES)).toContain(code);
    expect(readme).toContain(`| ${code} |`);
  }
});

test("the README's error example is the tool's real output for that file", async () => {
  const block = /```\n\$ lmuc (validate \S+)\n([\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  const [, command, shown] = block!;
  let err = "";
  const code = await main(["node", "lmuc", ...command.split(" ")], { out: () => undefined, err: (t) => void (err += t), isTty: false });
  expect(code).toBe(2);
  expect(err).toBe(shown);
});
