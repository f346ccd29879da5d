// `refute ticket`: GitHub issue markdown for each refutation in the latest report, one
// ticket per claim and subject group, each with its fingerprint marker.

import { join } from "node:path";
import { parseArgs } from "node:util";
import { isRefuteError } from "../engine/errors.ts";
import { buildTickets, groupStates } from "../gates/ticket.ts";
import { readReport } from "../gates/write.ts";

const HELP = `usage: refute ticket [--reports <dir>] [--json]

Prints GitHub issue markdown for each falsified claim and subject group in
<dir>/latest.json (default reports/): title, prediction, observation, evidence (token diff
with the first divergence marked, the oracle's top-k there), the command that reproduces
it, the environment, and a hidden <!-- refute:fingerprint=... --> marker that stays the
same while the same check keeps failing.

  --reports <dir>  where latest.json is (default reports/)
  --json           one JSON object: {tickets: [...], groups: [{fingerprint, claim, group, state}]}

Exit code: 0 (tickets printed, or none to print), 2 when the report is missing or invalid.`;

export interface TicketDeps {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultDeps: TicketDeps = { out: (t) => console.log(t), err: (t) => console.error(t) };

export function run(argv: string[]): Promise<number> {
  return ticketCommand(argv, defaultDeps);
}

export async function ticketCommand(argv: string[], deps: TicketDeps): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { reports: { type: "string", default: "reports" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
      strict: true,
    });
    if (values.help) {
      deps.out(HELP);
      return 0;
    }
    const file = join(values.reports, "latest.json");
    const report = await readReport(file);
    const tickets = buildTickets(report);
    if (values.json) {
      deps.out(JSON.stringify({ report: file, tickets, groups: groupStates(report) }));
      return 0;
    }
    if (tickets.length === 0) {
      deps.err(`no refutations in ${file} (${report.summary.total} checks, ${report.summary.blocked} blocked)`);
      return 0;
    }
    deps.out(tickets.map((t) => `# ${t.title}\n\nLabels: ${t.labels.join(", ")}\n\n${t.body}`).join("\n---\n\n"));
    return 0;
  } catch (e) {
    if (isRefuteError(e)) {
      deps.err(`refute ticket: ${e.message} [${e.code}]`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      deps.err(`refute ticket: ${(e as Error).message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
}
