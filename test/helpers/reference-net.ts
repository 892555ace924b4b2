/** The network of the reference tests: x² through two ensembles, a stated target and a host copy of the input. */
export const NET = `
name: square-chain
seed: 3
nodes:
  stim: { output: { kind: sine, frequency: 1 } }
  want: { size_in: 1, function: square }
  copy: { size_in: 1 }
  pair: { output: [1, 2] }
ensembles:
  a: { n_neurons: 60, dimensions: 1 }
  b: { n_neurons: 60, dimensions: 1 }
connections:
  - { from: stim, to: a }
  - { from: a, to: b, function: square }
  - { from: stim, to: want, synapse: null }
  - { from: stim, to: copy, synapse: null }
probes:
  b: { target: b, synapse: 0.01, reference: want }
  copy: { target: copy, synapse: 0.02, sample_every: 0.002, reference: stim }
`;
