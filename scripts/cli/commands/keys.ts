import { parseAnswer, rowsOf } from "../answer";
import { get } from "../client";
import { type Command, modeOf, queryOf, tableOf, writeBody } from "../command";
import { csvOf } from "../csv";

export const keys: Command = {
  name: "keys",
  summary: "the API keys, revoked ones included (GET /v1/admin/keys; admin token)",
  help: `Usage: nanometer keys

Every API key: id, name, prefix, when it was created and revoked, its budgets and rpm, and
its spend and reservations per period as spend.day.* and spend.month.* columns (every field
the server answers). Needs the admin token in NANOMETER_KEY; a key gets a 403.`,
  parameters: [],
  options: {},
  async run(values, io) {
    const mode = modeOf(values);
    const answer = await get(io.config, "/v1/admin/keys", queryOf(values, []));
    if (mode === "json") return writeBody(io, answer);
    const rows = rowsOf(parseAnswer(answer), "data");
    if (mode === "csv") return io.out(csvOf(rows));
    if (rows.length === 0) return io.out("No keys yet.\n");
    io.out(`${tableOf({ rows, leading: [], defaults: "all" }, values)}\n${rows.length} ${rows.length === 1 ? "key" : "keys"}\n`);
  },
};
