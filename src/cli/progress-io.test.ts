import { phaseProgress } from "./progress-io.js";

test("no reporter with --quiet, nor off a terminal unless the process asks for lines (lmuc does; in-process callers do not)", () => {
  const err = () => {};
  expect(phaseProgress({ err, isTty: true }, true)).toBeUndefined();
  expect(phaseProgress({ err, isTty: false }, false)).toBeUndefined();
  expect(phaseProgress({ err, isTty: false, progressLines: true }, false)).toBeInstanceOf(Function);
  expect(phaseProgress({ err, isTty: true }, false)).toBeInstanceOf(Function);
});

test("on a terminal, phases shorter than half a second draw nothing (no flicker for quick passes)", () => {
  const out: string[] = [];
  const p = phaseProgress({ err: (t) => out.push(t), isTty: true }, false)!;
  p("compile", 1, 10);
  p("compile", 10, 10);
  p("emulate", 5, 100);
  // Both phases finished or ran within half a second of their start: nothing was drawn.
  expect(out).toEqual([]);
});
