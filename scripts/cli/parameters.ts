import type { Options } from "./command";

/** A query parameter of the API as a command's option: `--<option> VALUE` sends `<parameter>=VALUE` as given. */
export interface Parameter {
  option: string;
  parameter: string;
  /** What the value is, and the line that explains the option in --help. */
  value: string;
  help: string;
}

/** The API's `a_b` is the option `--a-b` unless `parameter` says otherwise. */
export const parameter = (option: string, value: string, help: string, name = option.replaceAll("-", "_")): Parameter => ({ option, parameter: name, value, help });

/** What parseArgs needs to read them: each takes one value. */
export const optionsOf = (parameters: Parameter[]): Options => Object.fromEntries(parameters.map((p) => [p.option, { type: "string" as const }]));

/** Their --help lines, aligned. */
export const helpOf = (parameters: Parameter[]) => parameters.map((p) => `  ${`--${p.option} ${p.value}`.padEnd(19)} ${p.help}`).join("\n");

// The parameters several endpoints share.
export const FROM = parameter("from", "DAY", "first UTC day, YYYY-MM-DD");
export const TO = parameter("to", "DAY", "last UTC day, inclusive");
export const KEY_ID = parameter("key-id", "ID", "one key's calls (admin token only)");
export const TAG = parameter("tag", "NAME:VALUE", "only the calls with this tag (NAME=VALUE for a name that holds a colon)");
export const USER = parameter("user", "USER", "only the calls for this end user");
