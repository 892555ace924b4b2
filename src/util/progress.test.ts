import { formatDuration, Progress } from "./progress.js";

test("terminal bar: redrawn in place with rate and ETA, nothing before showAfterSeconds, cleared at the end", () => {
  let t = 0;
  const out: string[] = [];
  const p = new Progress({ tty: true, write: (s) => out.push(s), label: "emulate", unit: "steps", rateUnit: "steps/s", showAfterSeconds: 1, now: () => t });
  t = 0.5;
  p.update(50, 1000); // before showAfterSeconds: a short phase draws nothing
  expect(out).toEqual([]);
  t = 2;
  p.update(500, 1000); // 250 steps/s, 500 left → ETA 2 s; bar half filled (12 of 24)
  expect(out).toEqual([`\r[${"#".repeat(12)}${".".repeat(12)}] emulate 500/1000 steps (50%), 250 steps/s, ETA 2s\x1b[K`]);
  t = 2.05;
  p.update(510, 1000); // within 0.1 s of the last draw: skipped
  expect(out.length).toBe(1);
  t = 4;
  p.update(1000, 1000);
  expect(out.slice(1)).toEqual([`\r[${"#".repeat(24)}] emulate 1000/1000 steps (100%), 250 steps/s, ETA 0s\x1b[K`, "\r\x1b[K"]);
});

test("end() clears a drawn bar once and writes nothing when none was drawn", () => {
  const out: string[] = [];
  const quiet = new Progress({ tty: true, write: (s) => out.push(s), label: "x", showAfterSeconds: 5, now: () => 0 });
  quiet.end();
  expect(out).toEqual([]);
  let t = 0;
  const p = new Progress({ tty: true, write: (s) => out.push(s), label: "x", now: () => t });
  t = 1;
  p.update(1, 10);
  p.end();
  p.end();
  expect(out.filter((s) => s === "\r\x1b[K").length).toBe(1);
});

test("durations: seconds, minutes, hours, unknown", () => {
  expect([formatDuration(4.4), formatDuration(75), formatDuration(3700), formatDuration(Infinity)]).toEqual(["4s", "1m15s", "1h01m", "?"]);
});
