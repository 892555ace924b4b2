/** Runs the lmuc command line in-process (`main(argv, io)`) and captures what it prints. */
import { main } from "../../src/cli/main.js";

export interface Run {
  code: number;
  out: string;
  err: string;
}

export async function lmuc(...args: string[]): Promise<Run> {
  let out = "";
  let err = "";
  const code = await main(["node", "lmuc", ...args], { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false });
  return { code, out, err };
}

/** A failure the user caused is one short message, never a stack trace or an internal error. */
export function expectCleanError(r: Run): void {
  expect(r.err).not.toMatch(/^\s+at /m);
  expect(r.err).not.toContain("internal error");
}
