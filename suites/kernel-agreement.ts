// kernel-agreement: every kernel case of engine/backends/agreement.ts on the subject's
// backend against the TypeScript reference (cpu-ts), judged by normalized mean squared error
// as llama.cpp's test-backend-ops judges a backend. Value: the number of cases over their bound.

import { agrees, compareKernel, KERNEL_CASES } from "../engine/backends/agreement.ts";
import { cpuKernels } from "../engine/backends/cpu/kernels.ts";
import type { Measure } from "./measure.ts";

export const kernelAgreement: Measure = {
  name: "kernel-agreement",
  input: "subject",
  needsAgainst: false,
  quantity: "kernel cases over their NMSE bound",
  async observe({ subject, kernels }) {
    const backend = await kernels(subject);
    const results = KERNEL_CASES.map((c) => compareKernel(c, backend, cpuKernels));
    const over = results.filter((r) => !agrees(r));
    const line = (r: (typeof results)[number]) => `[${r.op}] ${r.params}: NMSE ${r.nmse.toExponential(3)} (bound ${r.threshold})${r.identical ? ", bit-identical" : ""}`;
    // the case nearest its bound (argmax, exact, has no ratio to its bound of 0)
    const worst = results.filter((r) => r.threshold > 0).reduce((w, r) => (r.nmse / r.threshold > w.nmse / w.threshold ? r : w));
    return {
      value: over.length,
      summary:
        over.length === 0
          ? `all ${results.length} kernel cases within bound on ${backend.name} (${results.filter((r) => r.identical).length} bit-identical); closest ${line(worst)}`
          : `${over.length} of ${results.length} kernel cases over bound on ${backend.name}, first ${line(over[0])}`,
      evidence: { notes: [...over.map(line), ...results.filter(agrees).map(line)] },
    };
  },
};
