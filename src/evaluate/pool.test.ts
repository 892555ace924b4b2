import { workerExecArgv } from "./pool.js";

describe("workerExecArgv", () => {
  test("drops the entry-point-only flags of `node --input-type=module -e …` and keeps the rest", () => {
    // Kept: flags that shape every thread (heap size, profiling); dropped: how the parent read its own code.
    expect(workerExecArgv(["--max-old-space-size=4096", "--input-type=module", "--cpu-prof"])).toEqual(["--max-old-space-size=4096", "--cpu-prof"]);
    expect(workerExecArgv(["--input-type", "module", "--eval", "1+1", "--enable-source-maps"])).toEqual(["--enable-source-maps"]);
    expect(workerExecArgv([])).toEqual([]);
  });
});
