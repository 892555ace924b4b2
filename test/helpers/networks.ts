/** Network texts shared by the hardware tests. */

/** A 1-D LIF ensemble of `n` neurons with a decoded recurrent connection (synapse 0.1 s) and a node input. */
export function recurrentEnsemble(n: number, name: string): string {
  return `
lmuc: 1
name: ${name}
dt: 0.001
seed: 3
nodes:
  stim:
    output: { kind: white-noise, period: 2, high: 5, rms: 0.3, seed: 2 }
ensembles:
  big:
    n_neurons: ${n}
    dimensions: 1
    neuron: lif
connections:
  - { from: stim, to: big, synapse: 0.1, transform: 0.1 }
  - { from: big, to: big, synapse: 0.1 }
probes:
  value: { target: big, synapse: 0.01 }
`;
}
