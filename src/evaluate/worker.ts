/**
 * A worker thread of `lmuc evaluate`: runs the same claim-a-chunk loop as the main thread over
 * shared memory (see pool.ts), then reports how many sequences it ran. The same code as the
 * in-process run, so results do not depend on which thread ran a sequence.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runClaimedChunks, type SharedRun } from "./chunks.js";

const run = workerData as SharedRun;
const done = await runClaimedChunks(run, () => {});
parentPort!.postMessage(done);
