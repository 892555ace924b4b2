/**
 * A data-only interpreter for the Python pickles that `torch.save` writes (protocol 2, plus the
 * few protocol 4 opcodes newer PyTorch versions emit). It builds plain values and never runs
 * code: a GLOBAL is only a name, checked against an allow-list, and REDUCE only "calls" the
 * handful of allowed names through the caller's `reduce` hook. Anything else is a PickleError
 * carrying the byte offset of the offending opcode, so a hostile or foreign file is rejected
 * with a location instead of being executed (what Python's pickle.load would do).
 */

export class PickleError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "PickleError";
  }
}

/** A Python tuple: kept apart from lists because persistent ids and call arguments are tuples. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A reference to an allowed global (module.name); it has meaning only to the `reduce` hook. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Anything the hooks build (tensors, storages): opaque to the interpreter. */
export class PyOpaque {
  constructor(readonly value: unknown) {}
}

export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | Map<PyValue, PyValue> | PyGlobal | PyOpaque;

export interface PickleHooks {
  /** Names a GLOBAL opcode may refer to, as "module.name". */
  readonly allowedGlobals: ReadonlySet<string>;
  /** REDUCE of an allowed global with its arguments. */
  reduce(fn: PyGlobal, args: PyValue[], offset: number): PyValue;
  /** BINPERSID: the persistent id (PyTorch: a storage reference) → its value. */
  persistentLoad(pid: PyValue, offset: number): PyValue;
  /** BUILD on `obj` with `state` (PyTorch: an OrderedDict's _metadata); returns the object. */
  build(obj: PyValue, state: PyValue, offset: number): PyValue;
}

const MARK = Symbol("mark");
type StackItem = PyValue | typeof MARK;

export function describeValue(v: PyValue): string {
  if (v === null) return "None";
  if (v instanceof PyTuple) return `a tuple of ${v.items.length}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof Map) return "a dict";
  if (v instanceof PyGlobal) return `global ${v.qualified}`;
  if (v instanceof Uint8Array) return "bytes";
  if (v instanceof PyOpaque) return "an object";
  return `${typeof v} ${String(v)}`;
}

/** Runs the pickle in `bytes` and returns the value STOP leaves on the stack. */
export function unpickle(bytes: Uint8Array, hooks: PickleHooks): PyValue {
  return new Unpickler(bytes, hooks).run();
}

class Unpickler {
  private readonly view: DataView;
  private readonly stack: StackItem[] = [];
  private readonly memo = new Map<number, PyValue>();
  private pos = 0;
  /** Offset of the opcode being run: where errors point. */
  private at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly hooks: PickleHooks,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(message: string): never {
    throw new PickleError(message, this.at);
  }
  private need(n: number): number {
    if (this.pos + n > this.bytes.length) this.fail(`the pickle ends inside an opcode (needs ${n} more bytes, has ${this.bytes.length - this.pos}); the file is truncated`);
    const p = this.pos;
    this.pos += n;
    return p;
  }
  private u8(): number {
    return this.bytes[this.need(1)];
  }
  private u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  private text(n: number): string {
    const p = this.need(n);
    return new TextDecoder("utf-8").decode(this.bytes.subarray(p, p + n));
  }
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail("the pickle ends inside a text line; the file is truncated");
    const s = new TextDecoder("latin1").decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
  private push(v: PyValue): void {
    this.stack.push(v);
  }
  private pop(): PyValue {
    const v = this.stack.pop();
    if (v === undefined || v === MARK) this.fail("stack underflow: the pickle is damaged");
    return v;
  }
  private top(): PyValue {
    const v = this.stack[this.stack.length - 1];
    if (v === undefined || v === MARK) this.fail("stack underflow: the pickle is damaged");
    return v;
  }
  private popMark(): PyValue[] {
    const k = this.stack.lastIndexOf(MARK);
    if (k < 0) this.fail("no MARK on the stack: the pickle is damaged");
    const items = this.stack.splice(k) as PyValue[];
    items.shift();
    return items;
  }
  private get(key: number): PyValue {
    const v = this.memo.get(key);
    if (v === undefined) this.fail(`memo key ${key} was never stored: the pickle is damaged`);
    return v;
  }
  private global(module: string, name: string): PyGlobal {
    const q = `${module}.${name}`;
    if (!this.hooks.allowedGlobals.has(q)) {
      this.fail(`global '${q}' is not allowed: lmuc reads PyTorch files as data only and accepts ${[...this.hooks.allowedGlobals].sort().join(", ")}`);
    }
    return new PyGlobal(module, name);
  }
  private setItems(items: PyValue[]): void {
    const d = this.top();
    if (!(d instanceof Map)) this.fail(`SETITEM(S) on ${describeValue(d)}, not a dict`);
    if (items.length % 2 !== 0) this.fail("SETITEMS with an odd number of items");
    for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
  }
  private append(items: PyValue[]): void {
    const l = this.top();
    if (!Array.isArray(l)) this.fail(`APPEND(S) on ${describeValue(l)}, not a list`);
    l.push(...items);
  }
  private long1(): PyValue {
    // LONG1: little-endian two's complement of n bytes.
    const n = this.u8();
    const p = this.need(n);
    let x = 0n;
    for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(this.bytes[p + i]);
    if (n > 0 && this.bytes[p + n - 1] & 0x80) x -= 1n << BigInt(8 * n);
    return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
  }
  private reduce(): PyValue {
    const args = this.pop();
    const fn = this.pop();
    if (!(fn instanceof PyGlobal)) this.fail(`REDUCE calls ${describeValue(fn)}, not an allowed global`);
    if (!(args instanceof PyTuple)) this.fail(`REDUCE of ${fn.qualified} without an argument tuple`);
    return this.hooks.reduce(fn, args.items, this.at);
  }

  run(): PyValue {
    for (;;) {
      this.at = this.pos;
      const op = this.u8();
      if (op === 0x2e) return this.pop(); // STOP
      this.step(op);
    }
  }

  private step(op: number): void {
    switch (op) {
      case 0x80: this.u8(); return; // PROTO
      case 0x95: this.need(8); return; // FRAME: a length hint only
      case 0x28: this.stack.push(MARK); return;
      case 0x29: return this.push(new PyTuple([]));
      case 0x74: return this.push(new PyTuple(this.popMark()));
      case 0x85: return this.push(new PyTuple([this.pop()]));
      case 0x86: { const b = this.pop(); return this.push(new PyTuple([this.pop(), b])); }
      case 0x87: { const c = this.pop(); const b = this.pop(); return this.push(new PyTuple([this.pop(), b, c])); }
      case 0x5d: return this.push([]); // EMPTY_LIST
      case 0x6c: return this.push(this.popMark()); // LIST
      case 0x61: return this.append([this.pop()]); // APPEND
      case 0x65: return this.append(this.popMark()); // APPENDS
      case 0x7d: return this.push(new Map()); // EMPTY_DICT
      case 0x64: { const items = this.popMark(); this.push(new Map()); return this.setItems(items); } // DICT
      case 0x73: { const v = this.pop(); const k = this.pop(); return this.setItems([k, v]); } // SETITEM
      case 0x75: return this.setItems(this.popMark()); // SETITEMS
      case 0x4a: return this.push(this.view.getInt32(this.need(4), true)); // BININT
      case 0x4b: return this.push(this.u8()); // BININT1
      case 0x4d: return this.push(this.view.getUint16(this.need(2), true)); // BININT2
      case 0x8a: return this.push(this.long1());
      case 0x47: return this.push(this.view.getFloat64(this.need(8), false)); // BINFLOAT (big-endian)
      case 0x4e: return this.push(null);
      case 0x88: return this.push(true);
      case 0x89: return this.push(false);
      case 0x58: return this.push(this.text(this.u32())); // BINUNICODE
      case 0x8c: return this.push(this.text(this.u8())); // SHORT_BINUNICODE
      case 0x55: return this.push(this.text(this.u8())); // SHORT_BINSTRING
      case 0x54: return this.push(this.text(this.u32())); // BINSTRING
      case 0x43: { const n = this.u8(); const p = this.need(n); return this.push(this.bytes.slice(p, p + n)); } // SHORT_BINBYTES
      case 0x42: { const n = this.u32(); const p = this.need(n); return this.push(this.bytes.slice(p, p + n)); } // BINBYTES
      case 0x63: { const module = this.line(); return this.push(this.global(module, this.line())); } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== "string" || typeof name !== "string") this.fail("STACK_GLOBAL needs two strings");
        return this.push(this.global(module, name));
      }
      case 0x71: this.memo.set(this.u8(), this.top()); return; // BINPUT
      case 0x72: this.memo.set(this.u32(), this.top()); return; // LONG_BINPUT
      case 0x94: this.memo.set(this.memo.size, this.top()); return; // MEMOIZE
      case 0x68: return this.push(this.get(this.u8())); // BINGET
      case 0x6a: return this.push(this.get(this.u32())); // LONG_BINGET
      case 0x70: this.memo.set(Number(this.line()), this.top()); return; // PUT
      case 0x67: return this.push(this.get(Number(this.line()))); // GET
      case 0x30: this.pop(); return; // POP
      case 0x31: this.popMark(); return; // POP_MARK
      case 0x32: return this.push(this.top()); // DUP
      case 0x52: return this.push(this.reduce());
      case 0x62: { const state = this.pop(); return this.push(this.hooks.build(this.pop(), state, this.at)); } // BUILD
      case 0x51: return this.push(this.hooks.persistentLoad(this.pop(), this.at)); // BINPERSID
      default:
        this.fail(`pickle opcode 0x${op.toString(16).padStart(2, "0")} ('${String.fromCharCode(op)}') is not one PyTorch writes for a state dict; refusing it (it may create objects or run code)`);
    }
  }
}
