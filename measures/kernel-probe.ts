// kernel-probe: closed-form properties of the subject's kernels (capability `kernels`), its
// fault included. Each probe computes on inputs whose exact answer mathematics gives, and
// observes the number of violations; the claims predict zero.
//   softmax-stable  softmax([1000, 999, 998, 0]) is finite and equals the closed form within 1e-6
//   norm-of-zero    RMS norm and layer norm of a zero vector are zero (epsilon keeps the scale finite)

import type { Kernels } from "../engine/backends/kernels.ts";
import { defineMeasure, paramsSchema } from "./measure.ts";
import { violationsObservation, type ProbeResult } from "./violations.ts";

const KERNEL_PROBES = {
  "softmax-stable": (kernels: Kernels): ProbeResult => {
    const x = Float32Array.from([1000, 999, 998, 0]);
    kernels.softmax(x, 4);
    const z = 1 + Math.exp(-1) + Math.exp(-2) + Math.exp(-1000);
    const expected = [1 / z, Math.exp(-1) / z, Math.exp(-2) / z, 0];
    const worst = Math.max(...expected.map((e, i) => Math.abs(e - x[i])));
    const ok = Number.isFinite(worst) && worst < 1e-6;
    return { checked: 4, violations: ok ? [] : [`softmax([1000, 999, 998, 0]) = [${Array.from(x)}], expected [${expected.map((e) => e.toPrecision(6))}]`] };
  },
  "norm-of-zero": (kernels: Kernels): ProbeResult => {
    const zeros = new Float32Array(64);
    const ones = new Float32Array(64).fill(1);
    const rms = new Float32Array(64);
    const layer = new Float32Array(64);
    kernels.rmsNorm(zeros, ones, 1e-5, rms);
    kernels.layerNorm(zeros, ones, zeros, 1e-5, layer);
    const violations: string[] = [];
    if (!rms.every((v) => v === 0)) violations.push(`rmsNorm(0) = ${rms[0]}, expected 0`);
    if (!layer.every((v) => v === 0)) violations.push(`layerNorm(0) = ${layer[0]}, expected 0`);
    return { checked: 2, violations };
  },
} as const;

type KernelProbe = keyof typeof KERNEL_PROBES;

const PARAMS = paramsSchema<{ probe: KernelProbe }>({
  type: "object",
  additionalProperties: false,
  properties: { probe: { type: "string", enum: Object.keys(KERNEL_PROBES) as KernelProbe[], description: "which closed-form property" } },
  required: ["probe"],
});

export const kernelProbe = defineMeasure<{ probe: KernelProbe }>({
  name: "kernel-probe",
  description: "violations of a closed-form kernel property (softmax of large scores, norm of zero) on the subject's backend",
  input: "subject",
  needsAgainst: false,
  value: "number",
  oracle: () => "none",
  needs: ["kernels"],
  params: PARAMS,
  quantity: () => "violations",
  async observe({ subject, kernels }, { probe }) {
    return violationsObservation(KERNEL_PROBES[probe](await kernels(subject)));
  },
});
