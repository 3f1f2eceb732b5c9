import type { ParseArgsConfig } from "node:util";
import type { Answer, Config } from "./client";
import { usageError } from "./exit";
import type { Parameter } from "./parameters";
import { renderTable, chooseColumns, type View } from "./table";

export type Options = NonNullable<ParseArgsConfig["options"]>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Where a command writes: stdout for its output, stderr for notes (so --csv and --json stay clean). */
export interface Io {
  config: Config;
  out(data: string | Uint8Array): void;
  note(text: string): void;
  terminal: boolean;
}

export interface Command {
  name: string;
  summary: string;
  /** The usage line and the command's own options, for --help. */
  help: string;
  /** The API's query parameters it takes as options. */
  parameters: Parameter[];
  /** Its options that are not query parameters. */
  options: Options;
  run(values: Values, io: Io): Promise<void>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Options = {
  json: { type: "boolean" },
  csv: { type: "boolean" },
  columns: { type: "string" },
  param: { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
};

export const COMMON_HELP = `Output (a table by default):
  --columns LIST  the table's columns: the answer's field names, comma-separated, or "all"
  --json          the API's answer exactly as received (byte for byte)
  --csv           CSV (RFC 4180) with every field
Also:
  --param K=V     any other query parameter, passed through as given (repeatable)
  -h, --help      this help`;

export type Mode = "table" | "json" | "csv";

export function modeOf(values: Values): Mode {
  if (values.json && values.csv) throw usageError("choose one of --json and --csv");
  return values.json ? "json" : values.csv ? "csv" : "table";
}

/** The query: each parameter's option given, then every --param K=V, all as given. */
export function queryOf(values: Values, parameters: Parameter[]): URLSearchParams {
  const query = new URLSearchParams();
  for (const { option, parameter } of parameters) {
    const value = values[option];
    if (typeof value === "string") query.set(parameter, value);
  }
  for (const pair of (values.param ?? []) as string[]) {
    const at = pair.indexOf("=");
    if (at < 1) throw usageError(`--param takes NAME=VALUE, not ${JSON.stringify(pair)}`);
    query.append(pair.slice(0, at), pair.slice(at + 1));
  }
  return query;
}

/** The body as received; on a terminal, a newline after it so the prompt starts on its own line. */
export function writeBody(io: Io, answer: Answer): void {
  io.out(answer.bytes);
  if (io.terminal && !answer.text.endsWith("\n")) io.out("\n");
}

/** The table with the columns --columns asks for (checked before anything is written). */
export const tableOf = (view: View, values: Values): string => renderTable(view, chooseColumns(view, values.columns as string | undefined));
