/** Runs `steps` steps of anything with a step(), reporting progress about 100 times. */
export function runSteps(step: () => void, steps: number, onProgress?: (done: number, total: number) => void): void {
  const every = Math.max(1, Math.floor(steps / 100));
  for (let k = 0; k < steps; k++) {
    step();
    if (onProgress && (k + 1) % every === 0) onProgress(k + 1, steps);
  }
}
