/**
 * Issue 9: the compiler's restructuring (partition split by concern, the hardware passes in one
 * list, placement carried as data) must not change a single emitted byte. Every example and the
 * bench networks (the per-dimension emulator case at 4 × 400 instead of the bench's 4 × 1600, which
 * takes over 10 s to compile) are compiled, with decode neurons ("auto", the default) and, for the
 * examples, without ("never", which exercises the neuron-to-neuron paths and most partition cuts),
 * and the sha256 of the emitted chip.yaml, cores.bin and host.json are compared with the hashes the
 * code produced before the restructuring (commit c312da8). A changed hash means a changed build:
 * either a behaviour change to explain or a refactoring mistake.
 *
 * LMUC_PRINT_HASHES=1 prints the current hashes instead of failing (to pin a deliberate change).
 */
import { createHash } from "node:crypto";
import { large, lmuMemory } from "../../bench/networks.js";
import { loadNetworkFile, loadNetworkObject } from "../../src/api.js";
import { emitChip } from "../../src/backends/loihi/emit.js";
import { compileNetwork, type CompileOptions } from "../../src/compile.js";
import type { NetworkIR } from "../../src/ir/network.js";
import { toTypedJson } from "../../src/ir/json-typed.js";
import { loadTarget } from "../../src/target/target.js";

const target = loadTarget("loihi1");
const sha = (s: string | Uint8Array): string => createHash("sha256").update(s).digest("hex");

interface Case {
  readonly name: string;
  readonly load: () => NetworkIR;
  readonly opts: CompileOptions;
  /** sha256 of chip.yaml, cores.bin, host.json as `lmuc compile` writes them (build.ts). */
  readonly expected: { readonly chipYaml: string; readonly coresBin: string; readonly hostJson: string };
}

const example = (name: string) => () => loadNetworkFile(`examples/${name}.yaml`);
const memory = (order: number, perDim: number, layout: "single" | "per-dimension" = "single") => () => loadNetworkObject(lmuMemory(order, perDim, layout), "examples/lmu-memory.yaml");
const generated = () => loadNetworkObject(large(20, 200, 5), "<large>");

const CASES: readonly Case[] = [
  { name: "lmu-memory", load: example("lmu-memory"), opts: {}, expected: {
      chipYaml: "ae35e49a5364ee8984b865dd522fd586ac0ab094cfa9baaee81b065cba9eb84f",
      coresBin: "e53fca8b2ee0b417683cef7209aca0be405a6ec1e8059340779eb48d7056df98",
      hostJson: "74155f8f4054149e2ca20728f77a93608f186709ae037c475bf5ee8dff527bab",
    },
  },
  { name: "lmu-delay", load: example("lmu-delay"), opts: {}, expected: {
      chipYaml: "0398d211c001c1da8166d61bfe7745ca311c96c136d4edf22f66fcde251287c7",
      coresBin: "7a4398aeec7471964ce9d3ce9e7b82629578832d8834cd95592b4e18316e4209",
      hostJson: "b7b12be684679e9d3965e3b8249d51fce31b69ff649dfbd4bd994eda664d7bad",
    },
  },
  { name: "lmu-steps", load: example("lmu-steps"), opts: {}, expected: {
      chipYaml: "9994243aea9e2116c8e07df3fa72f2f410747ab9371f65581727a143123404e8",
      coresBin: "bcdae8cc2130f96224cfb965123dd79e0d8c2f4ca89e3db3905a817a664e32b7",
      hostJson: "73213fd690e84559c9600447f831f09efdc868a10ae6cf45329c3b8b610f4e4e",
    },
  },
  { name: "psmnist-lmu", load: example("psmnist-lmu"), opts: {}, expected: {
      chipYaml: "33da234f5faec129e7f6e3c819b91aafb26fd5018e918782541f69da598742d1",
      coresBin: "e23e15924d2dc69d730a9de430ff4df14bac1cd0c3137580835dd7299e60816c",
      hostJson: "bb04aa6ac565936852472dba6f6e3ab104b651d37f2895a8a48255621c1b54e5",
    },
  },
  { name: "lmu-memory never", load: example("lmu-memory"), opts: { decodeNeurons: "never" }, expected: {
      chipYaml: "db9aed145ba23c2a94e33814d09ce4e5456462e6a9ef4421e69961df6fb0cc43",
      coresBin: "132261058a3c4bc363ed63b73a6bf74179c38b104fcf2deec2e3cb14ebfce8f3",
      hostJson: "2a4dd8e2bde01ef2bf95f5227721f500a1e6f44da488cab12c612803179da05f",
    },
  },
  { name: "lmu-delay never", load: example("lmu-delay"), opts: { decodeNeurons: "never" }, expected: {
      chipYaml: "8b6e3cbbad0905c8ed63b78090f732f67892214468ebe665f9d8ce99cd633f9c",
      coresBin: "1cd6454c7fe1bf6195548b5f41972c56b1ce95e456f4d41bde265347646c503b",
      hostJson: "3d04afc0b3aa9dd17a90cb17b47eaceca1d51847d6d3be74b5355702ce70f164",
    },
  },
  { name: "lmu-steps never", load: example("lmu-steps"), opts: { decodeNeurons: "never" }, expected: {
      chipYaml: "d775204798052a7633cf7fa05c86af62dd8f3e5f1da100af832155fd2b888379",
      coresBin: "08a623970a64524b4e3752427ac425b69fb411600faec87f048563be97522d56",
      hostJson: "55c4bab4b82c3d43e3743d4c80f3bd7e673e640277f35f9dcd79991ed8242563",
    },
  },
  { name: "bench lmu-memory 4×100", load: memory(4, 100), opts: { calibrationSteps: 500 }, expected: {
      chipYaml: "e7b1ff6ecf432d1a7c0d665c2a271f8a6e99669ea38545637da5e7550c7fc0d6",
      coresBin: "054ea066b948c87f1fe476ee772d15e5fc81b895a4d88328982c1d1f033535b4",
      hostJson: "37bb8b44992700ec28e10b44166408f22735a7c0489c8e3d190fabe0380b11a4",
    },
  },
  { name: "bench lmu-memory 4×400", load: memory(4, 400), opts: { calibrationSteps: 500 }, expected: {
      chipYaml: "a3db679dee088d69702be339e02fddf0208783d1a40ec0a4fe7d8356d4995fcb",
      coresBin: "05fb0c339b7e6ada00cefae0fa60cb10dbf8ee8320782d5984ed0fff7346a0e5",
      hostJson: "3e5f365efd14e5babf2f1587da23028ce9e0b830445fa3d682f6a6a5110ec588",
    },
  },
  { name: "bench lmu-memory 4×400 per-dimension", load: memory(4, 400, "per-dimension"), opts: { calibrationSteps: 500 }, expected: {
      chipYaml: "13f18c7a898d9a5ad869bf3388c616436490ec90ee32fb559c0eb8dd03f82faa",
      coresBin: "0bd808f8f27ecf1583db6cf4c910a1a8ee128246ee5f6aa9896e935c9af80d0a",
      hostJson: "80d4824783acb7b0abe41a61afa111a8f9e0b8bb2fac8183f1ff417bf2f9ea76",
    },
  },
  { name: "bench large 20×200", load: generated, opts: { calibrationSteps: 200 }, expected: {
      chipYaml: "3fcfbe73fd39392c96785f8e57bdc958c82d13befa52f1ad3f7cf2e97cf4b82a",
      coresBin: "88c24ee40aa4440df9ba7c18d37812e644647756fca58056303ef060e19e2e42",
      hostJson: "4e17b7b6a0b948d342c854d8c78a5aa3aaf280daff96cab7bc9f05e492be79f8",
    },
  },
  { name: "bench large 20×200 never", load: generated, opts: { calibrationSteps: 200, decodeNeurons: "never" }, expected: {
      chipYaml: "ba7b9f0784e09a4dff8bd149c4dd65d012f64dbaf591bd4a43f20924a6f289df",
      coresBin: "543e7728f53484b72b03c74ce6b1d7a945945499296753362a7b1205064b8048",
      hostJson: "4e17b7b6a0b948d342c854d8c78a5aa3aaf280daff96cab7bc9f05e492be79f8",
    },
  },
];

const printOnly = process.env.LMUC_PRINT_HASHES === "1";

describe("emitted builds are byte-identical to those before the restructuring", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const result = compileNetwork(c.load(), target, c.opts);
    const { chipYaml, coresBin } = emitChip(result.chip, target);
    const got = { chipYaml: sha(chipYaml), coresBin: sha(coresBin), hostJson: sha(toTypedJson(result.host) + "\n") };
    if (printOnly) {
      console.log(`${c.name}: ${JSON.stringify(got)}`);
      return;
    }
    expect(got).toEqual(c.expected);
  });
});
