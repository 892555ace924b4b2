/** Moved to src/util/progress.ts (shared by every command); re-exported for existing imports. */
export { Progress, formatDuration, type ProgressOptions } from "../util/progress.js";
