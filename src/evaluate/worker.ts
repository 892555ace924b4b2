/**
 * A worker thread of `lmuc evaluate`: receives the cell program once (workerData) and then
 * chunks of sequences; answers each chunk with its logits. The same code as the in-process run,
 * so results do not depend on which thread ran a sequence.
 */
import { parentPort, workerData } from "node:worker_threads";
import { CellState, runCellSequence, type CellProgram } from "../sim/cell.js";

export interface ChunkRequest {
  readonly first: number;
  readonly count: number;
  readonly steps: number;
  /** [count, steps, inputSize] */
  readonly x: Float64Array;
}

export interface ChunkReply {
  readonly first: number;
  readonly count: number;
  /** [count, outputs] */
  readonly logits: Float64Array;
}

const program = workerData as CellProgram;
const state = new CellState(program);

parentPort?.on("message", (req: ChunkRequest) => {
  const logits = new Float64Array(req.count * program.outputs);
  const stride = req.steps * program.inputSize;
  for (let i = 0; i < req.count; i++) runCellSequence(program, state, req.x, i * stride, req.steps, logits, i * program.outputs);
  const reply: ChunkReply = { first: req.first, count: req.count, logits };
  parentPort!.postMessage(reply, [logits.buffer]);
});
