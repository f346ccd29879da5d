// kernel-agreement: every kernel case of engine/backends/agreement.ts on the subject's
// backend against the TypeScript reference (cpu-ts, without the subject's fault), judged by
// normalized mean squared error as llama.cpp's test-backend-ops judges a backend. Value: the
// number of cases over their bound. Both backends come through the runtime (capability
// `kernels`); the cases are test data, loaded when the measure runs.

import { defineMeasure, NO_PARAMS } from "./measure.ts";

export const kernelAgreement = defineMeasure({
  name: "kernel-agreement",
  description: "kernel cases (test-backend-ops style) whose NMSE on the subject's backend against cpu-ts exceeds their bound",
  input: "subject",
  needsAgainst: false,
  value: "number",
  needs: ["kernels"],
  params: NO_PARAMS,
  quantity: () => "kernel cases over their NMSE bound",
  async observe({ subject, kernels }) {
    const { agrees, compareKernel, KERNEL_CASES } = await import("../engine/backends/agreement.ts");
    const backend = await kernels(subject);
    const { inject: _clean, ...reference } = subject;
    const referenceKernels = await kernels({ ...reference, backend: "cpu-ts" });
    const results = KERNEL_CASES.map((c) => compareKernel(c, backend, referenceKernels));
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
});
