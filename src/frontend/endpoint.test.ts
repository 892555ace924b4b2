import { parseEndpoint, resolveSlice, SliceError } from "./endpoint.js";

describe("parseEndpoint", () => {
  test("a bare id is the object's value", () => {
    expect(parseEndpoint("stim")).toEqual({ id: "stim", part: "value", text: "stim" });
  });

  test(".neurons selects the neuron population, and a slice is kept as text for resolveSlice", () => {
    expect(parseEndpoint("ens.neurons")).toEqual({ id: "ens", part: "neurons", text: "ens.neurons" });
    expect(parseEndpoint("ens.neurons[::2]")).toEqual({ id: "ens", part: "neurons", slice: "::2", text: "ens.neurons[::2]" });
    expect(parseEndpoint("x_1-b[0, 2]")).toEqual({ id: "x_1-b", part: "value", slice: "0, 2", text: "x_1-b[0, 2]" });
  });

  test.each(["1x", "a b", "a.foo", "a[0", "a[0]]", "", "a.neurons.neurons"])("'%s' is not an endpoint and says what one looks like", (text) => {
    expect(() => parseEndpoint(text)).toThrow(SliceError);
    expect(() => parseEndpoint(text)).toThrow(/is not an endpoint \(id, id\.neurons, optionally with a slice/);
  });
});

describe("resolveSlice follows Python's slice semantics", () => {
  test.each<[string | undefined, number, number[]]>([
    [undefined, 4, [0, 1, 2, 3]],
    ["2", 5, [2]],
    ["1:3", 5, [1, 2]],
    ["::2", 5, [0, 2, 4]],
    ["-1", 5, [4]],
    ["0,2,5", 6, [0, 2, 5]],
    [" 0 , 2 ", 3, [0, 2]],
    ["::-1", 4, [3, 2, 1, 0]],
    ["-3:", 5, [2, 3, 4]],
    [":-1", 4, [0, 1, 2]],
    ["1:100", 4, [1, 2, 3]], // bounds are clipped, as in Python
    ["5:1:-2", 6, [5, 3]],
    ["3:-10:-1", 5, [3, 2, 1, 0]],
    ["-2,-1", 3, [1, 2]],
  ])("[%s] of %i components is %j", (slice, size, expected) => {
    expect(resolveSlice(slice, size)).toEqual(expected);
  });

  test.each<[string, number, RegExp]>([
    ["5", 5, /index 5 is out of range for 5 components \(valid: 0 to 4, or -5 to -1/],
    ["-6", 5, /index -6 is out of range for 5 components/],
    ["0,7", 3, /index 7 is out of range/],
    ["0", 0, /there are no components/],
    ["::0", 4, /slice step cannot be 0/],
    ["a", 4, /slice index 'a' is not an integer/],
    ["1:x", 4, /slice bound 'x' is not an integer/],
    ["::1.5", 4, /slice step '1.5' is not an integer/],
    ["1:2:3:4", 9, /too many ':'/],
    ["", 4, /empty slice/],
    ["3:1", 5, /selects nothing from 5 components/],
  ])("[%s] of %i components is an error: %s", (slice, size, message) => {
    expect(() => resolveSlice(slice, size)).toThrow(SliceError);
    expect(() => resolveSlice(slice, size)).toThrow(message);
  });
});
