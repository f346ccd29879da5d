// A report writer to be killed: writes reports/latest.json's report into the directory given,
// again and again, each time as a new run (its own startedAt), until it is killed.
// Run: node --import tsx test/hostile/report-writer-child.ts <dir>

import { readFileSync } from "node:fs";
import type { Report } from "../../gates/report.ts";
import { writeReports } from "../../gates/write.ts";

const dir = process.argv[2];
const published = JSON.parse(readFileSync("reports/latest.json", "utf8")) as Report;
const base: Report = { ...published, run: { ...published.run, args: [] } };
for (let i = 0; ; i++) {
  const startedAt = new Date(Date.UTC(2030, 0, 1) + i * 1000 + process.pid).toISOString();
  await writeReports({ ...base, run: { ...base.run, startedAt } }, dir);
  if (i === 0) process.stdout.write("written\n");
}
