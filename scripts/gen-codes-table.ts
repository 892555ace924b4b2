/**
 * Writes the README's table of diagnostic codes from src/diagnostics/codes.ts, between the
 * marker comments, so the table cannot drift from the codes the tool emits.
 * Run: npm run codes-table. test/errors/readme.test.ts fails when the two disagree.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { CODES, type CodeInfo } from "../src/diagnostics/codes.js";

export const BEGIN = "<!-- codes-table:begin (generated from src/diagnostics/codes.ts by `npm run codes-table`; do not edit) -->";
export const END = "<!-- codes-table:end -->";

/** Markdown cells may not hold a bare `|`. */
function cell(s: string): string {
  return s.replace(/\|/g, "\\|");
}

/** The table, in code order (codes.ts groups them by when they were added). */
export function codesTable(codes: Readonly<Record<string, CodeInfo>> = CODES): string {
  const rows = Object.entries(codes).sort(([a], [b]) => a.localeCompare(b));
  const lines = ["| code | meaning | what to do |", "|---|---|---|"];
  for (const [code, info] of rows) {
    lines.push(`| ${code} | ${cell(info.title)} | ${cell(info.hint ?? "")} |`);
  }
  return lines.join("\n");
}

/** README text with the table between the markers replaced; throws if the markers are missing. */
export function spliceTable(readme: string, table: string): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md lacks the markers ${BEGIN} … ${END}`);
  return readme.slice(0, a + BEGIN.length) + "\n" + table + "\n" + readme.slice(b);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/").split("/").slice(-2).join("/"));
if (invokedDirectly) {
  const path = "README.md";
  const before = readFileSync(path, "utf8");
  const after = spliceTable(before, codesTable());
  if (after !== before) writeFileSync(path, after);
  console.log(after !== before ? `README.md: codes table rewritten (${Object.keys(CODES).length} codes)` : "README.md: codes table already up to date");
}
