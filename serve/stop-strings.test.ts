import { describe, expect, it } from "vitest";
import { StopMatcher } from "./stop-strings.ts";

function run(stops: string[], deltas: string[]): { sent: string; stopped: boolean } {
  const m = new StopMatcher(stops);
  let sent = "";
  for (const d of deltas) {
    const r = m.push(d);
    sent += r.text;
    if (r.stopped) return { sent, stopped: true };
  }
  return { sent: sent + m.flush(), stopped: false };
}

describe("stop strings", () => {
  it("end the answer before the first occurrence, the string left out, across deltas", () => {
    expect(run(["Berlin"], [" Paris.", " The capital of Germany is Ber", "lin. Berlin"])).toEqual({ sent: " Paris. The capital of Germany is ", stopped: true });
    expect(run(["\n", "."], ["a b", ". c\n"])).toEqual({ sent: "a b", stopped: true });
  });

  it("hold back only what could start a stop string, and send it when it does not", () => {
    const m = new StopMatcher(["END"]);
    expect(m.push("the E")).toEqual({ text: "the ", stopped: false });
    expect(m.push("N")).toEqual({ text: "", stopped: false });
    expect(m.push("D")).toEqual({ text: "", stopped: true });
    expect(run(["END"], ["the E", "Nd"])).toEqual({ sent: "the ENd", stopped: false });
  });

  it("without stop strings pass everything through", () => {
    expect(run([], ["a", "b"])).toEqual({ sent: "ab", stopped: false });
  });
});
