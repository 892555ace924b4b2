/** Option parsers shared by every lmuc command: a bad value is a usage error (exit 2). */
import { InvalidArgumentError } from "commander";

export function positiveNumber(what: string) {
  return (v: string): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new InvalidArgumentError(`${what} must be a positive number, got '${v}'`);
    return x;
  };
}

export function positiveInt(what: string) {
  return (v: string): number => {
    const x = Number(v);
    if (!Number.isInteger(x) || x <= 0) throw new InvalidArgumentError(`${what} must be a positive whole number, got '${v}'`);
    return x;
  };
}
