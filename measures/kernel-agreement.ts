// kernel-agreement: every kernel case of engine/backends/agreement.ts on the subject's
// backend against the TypeScript reference (cpu-ts, without the subject's fault), judged by
// normalized mean squared error as llama.cpp's test-backend-ops judges a backend. Value: the
// number of cases over their bound. Both backends come through the runtime (capability
// `kernels`); the cases are test data, loaded when the measure runs.

import { defineMeasure, paramsSchema } from "./measure.ts";

/** test-backend-ops' names of the kernels engine/backends/agreement.ts has cases for. */
const OPS = ["MUL_MAT", "RMS_NORM", "NORM", "ROPE", "SOFT_MAX", "ATTENTION", "ARGMAX"] as const;
type Op = (typeof OPS)[number];

const PARAMS = paramsSchema<{ ops: Op[] }>({
  type: "object",
  additionalProperties: false,
  properties: { ops: { type: "array", items: { type: "string", enum: [...OPS] }, minItems: 1, uniqueItems: true, default: [...OPS], description: "which ops' cases to compare (default all)" } },
  required: ["ops"],
});

export const kernelAgreement = defineMeasure<{ ops: Op[] }>({
  name: "kernel-agreement",
  description: "kernel cases (test-backend-ops style) whose NMSE on the subject's backend against cpu-ts exceeds their bound",
  input: "subject",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["kernels"],
  params: PARAMS,
  quantity: () => "kernel cases over their NMSE bound",
  async observe({ subject, kernels }, { ops }) {
    const { agrees, compareKernel, KERNEL_CASES } = await import("../engine/backends/agreement.ts");
    const backend = await kernels(subject);
    const { inject: _clean, ...reference } = subject;
    const referenceKernels = await kernels({ ...reference, backend: "cpu-ts" });
    const cases = KERNEL_CASES.filter((c) => (ops as readonly string[]).includes(c.op));
    const results = cases.map((c) => compareKernel(c, backend, referenceKernels));
    const over = results.filter((r) => !agrees(r));
    const line = (r: (typeof results)[number]) => `[${r.op}] ${r.params}: NMSE ${r.nmse.toExponential(3)} (bound ${r.threshold})${r.identical ? ", bit-identical" : ""}`;
    // the case nearest its bound (argmax, exact, has no ratio to its bound of 0)
    const bounded = results.filter((r) => r.threshold > 0);
    const worst = bounded.length ? bounded.reduce((w, r) => (r.nmse / r.threshold > w.nmse / w.threshold ? r : w)) : results[0];
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
