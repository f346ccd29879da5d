// The HTML report of real runs, looked at in headless Chromium: the engine clean, and with a
// RoPE fault injected (rope-position-off-by-one), on the canary suite. The fault's report must
// show each falsified check's token diff on screen (visible, inside the viewport once scrolled
// to, its pixels not blank and the first-divergence highlight among them), the filters must
// narrow the table, and `refute report diff` between the two runs must list exactly the checks
// the fault falsified.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../gates/report.ts";
import { findChromium } from "../browser.ts";
import { tempDir } from "./helpers.ts";

const REFUTE = join(import.meta.dirname, "..", "..", "bin", "refute.mjs");
const refute = (args: string[]) => spawnSync(process.execPath, [REFUTE, ...args], { encoding: "utf8", timeout: 120_000 });
const root = tempDir("refute-html-");
const clean = join(root, "clean");
const faulty = join(root, "faulty");
const readReport = (dir: string) => JSON.parse(readFileSync(join(dir, "latest.json"), "utf8")) as Report;

beforeAll(() => {
  expect(refute(["gates", "--suite", "canary", "--reports", clean]).status).toBe(0);
  expect(refute(["gates", "--suite", "canary", "--inject", "rope-position-off-by-one", "--reports", faulty]).status).toBe(1);
}, 240_000);

describe("report diff between a clean run and a faulty one", () => {
  it("lists exactly the checks the fault falsified, as newly falsified, and exits 1", () => {
    const falsified = readReport(faulty)
      .checks.filter((c) => c.verdict === "falsified")
      .map((c) => c.id)
      .sort();
    expect(falsified.length).toBeGreaterThan(0);
    expect(readReport(clean).summary.falsified).toBe(0);
    const run = refute(["report", "diff", join(clean, "latest.json"), join(faulty, "latest.json"), "--json"]);
    expect(run.status).toBe(1);
    const diff = JSON.parse(run.stdout);
    expect(diff.newlyFalsified.map((c: { id: string }) => c.id).sort()).toEqual(falsified);
    expect(diff.newlyCorroborated).toEqual([]);
    expect(diff.newlyBlocked).toEqual([]);
    // the same from the history lines the two runs appended
    const fromHistory = JSON.parse(refute(["report", "diff", join(clean, "history.jsonl"), join(faulty, "history.jsonl"), "--json"]).stdout);
    expect(fromHistory.newlyFalsified.map((c: { id: string }) => c.id).sort()).toEqual(falsified);
    // and nothing the other way round but the recovery
    const back = JSON.parse(refute(["report", "diff", join(faulty, "latest.json"), join(clean, "latest.json"), "--json"]).stdout);
    expect(back.newlyFalsified).toEqual([]);
    expect(back.newlyCorroborated.map((c: { id: string }) => c.id).sort()).toEqual(falsified);
  });
});

const chromium = findChromium();

describe.skipIf(chromium.blocked !== undefined)(`report.html in headless Chromium${chromium.blocked ? ` (blocked: ${chromium.blocked})` : ""}`, () => {
  // loaded on use: without a browser the module is not needed
  let browser: import("playwright-core").Browser;
  beforeAll(async () => {
    const { chromium: driver } = await import("playwright-core");
    browser = await driver.launch({ executablePath: chromium.path, args: ["--no-sandbox"] });
  }, 60_000);
  afterAll(() => browser?.close());

  it("shows the first falsified check's token diff on screen, first divergence highlighted", async () => {
    const report = readReport(faulty);
    const first = report.checks.find((c) => c.verdict === "falsified" && c.evidence?.divergences?.length)!;
    const divergence = first.evidence!.divergences![0];
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`file://${join(faulty, "report.html")}`);
    const diff = page.locator(".token-diff").first();
    await diff.scrollIntoViewIfNeeded();
    expect(await diff.isVisible()).toBe(true);
    const box = (await diff.boundingBox())!;
    expect(box.height).toBeGreaterThan(60);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeLessThan(800);
    // the marked chip of the observed row is the observed token, spelled by the tokenizer
    const marks = diff.locator("mark.tok.first");
    expect(await marks.count()).toBe(2);
    const observedText = first.evidence!.tokenTexts![String(divergence.observedToken)].replace(/ /g, "\u00b7");
    expect(await marks.nth(1).textContent()).toBe(observedText);
    expect(await diff.locator("figcaption").textContent()).toContain(`first at step ${divergence.step}`);
    // the screenshot of the diff holds the highlight's yellow (#ffd33d) among many colours: it is drawn
    const png = await diff.screenshot();
    const colours = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      const seen = new Set<number>();
      let yellow = 0;
      for (let i = 0; i < data.length; i += 4) {
        seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        if (Math.abs(data[i] - 0xff) < 8 && Math.abs(data[i + 1] - 0xd3) < 8 && Math.abs(data[i + 2] - 0x3d) < 8) yellow++;
      }
      return { distinct: seen.size, yellow };
    }, png.toString("base64"));
    expect(colours.distinct).toBeGreaterThan(20);
    expect(colours.yellow).toBeGreaterThan(50);
    await page.close();
  });

  it("filters the checks by verdict from the keyboard and announces how many are shown", async () => {
    const report = readReport(faulty);
    const page = await browser.newPage();
    await page.goto(`file://${join(faulty, "report.html")}`);
    const rows = page.locator("#checks tbody tr");
    expect(await rows.count()).toBe(report.summary.total);
    await page.focus("#filter-verdict");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("filter-verdict");
    await page.selectOption("#filter-verdict", "falsified");
    expect(await page.locator("#checks tbody tr:visible").count()).toBe(report.summary.falsified);
    expect(await page.locator("#shown").textContent()).toBe(`${report.summary.falsified} of ${report.summary.total} checks shown`);
    expect(await page.locator("#shown").getAttribute("aria-live")).toBe("polite");
    // every table has a caption and every header cell a scope
    expect(await page.locator("table:not(:has(caption))").count()).toBe(0);
    expect(await page.locator("th:not([scope])").count()).toBe(0);
    await page.close();
  });
});
