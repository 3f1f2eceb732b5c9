/**
 * `nanometer`: the spend API as terminal tables, --json and --csv. Reads NANOMETER_URL and
 * NANOMETER_KEY. Every failure is one line on stderr and an exit code from exit.ts.
 */
import { parseArgs } from "node:util";
import { configFrom } from "./client";
import { type Command, COMMON_HELP, COMMON_OPTIONS, type Io, type Values } from "./command";
import { cache } from "./commands/cache";
import { keys } from "./commands/keys";
import { requests } from "./commands/requests";
import { spend } from "./commands/spend";
import { CliError, EXIT, EXIT_HELP, usageError } from "./exit";
import { optionsOf } from "./parameters";
import { oneLine } from "./visible";

const COMMANDS: Command[] = [spend, requests, cache, keys];

const HELP = `Usage: nanometer <command> [options]

What nanometer spent and saved, from its spend API, as tables (or --json, --csv).

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`).join("\n")}

Environment:
  NANOMETER_URL   the gateway's address, e.g. http://127.0.0.1:8787
  NANOMETER_KEY   an API key (its own spend) or the admin token (everyone's; needed by keys)

Run nanometer <command> --help for its options.

${EXIT_HELP}
`;

const HELP_WORDS = new Set(["help", "--help", "-h"]);

/** parseArgs' own messages run long; keep the part that names the problem. */
function argsError(error: Error & { code?: string }): CliError {
  const option = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return usageError(`unknown option ${option}`);
  return usageError(error.message.split(/\.\s/)[0]!);
}

async function main(argv: string[], io: Omit<Io, "config">): Promise<void> {
  const [name, ...args] = argv;
  if (name === undefined || HELP_WORDS.has(name)) return io.out(HELP);
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw usageError(`unknown command "${name}"; the commands are ${COMMANDS.map((c) => c.name).join(", ")}`);
  let values: Values;
  try {
    ({ values } = parseArgs({ args, options: { ...optionsOf(command.parameters), ...command.options, ...COMMON_OPTIONS }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw argsError(error as Error);
  }
  if (values.help) return io.out(`${command.help}\n\n${COMMON_HELP}\n`);
  await command.run(values, { ...io, config: configFrom(process.env) });
}

// A reader that stops early (`| head`) is not an error; any other failure to write stdout is.
process.stdout.on("error", (error: NodeJS.ErrnoException) => process.exit(error.code === "EPIPE" ? EXIT.ok : EXIT.internal));

const io = {
  out: (data: string | Uint8Array) => void process.stdout.write(data),
  note: (text: string) => void process.stderr.write(`${oneLine(text)}\n`),
  terminal: process.stdout.isTTY === true,
};
let code: number = EXIT.ok;
try {
  await main(process.argv.slice(2), io);
} catch (error) {
  const known = error instanceof CliError;
  // A message may quote the server (its error, a column name): one line, its controls visible.
  const message = known ? error.message : `internal error: ${(error as Error)?.message ?? String(error)}`;
  process.stderr.write(`nanometer: ${oneLine(message)}\n`);
  code = known ? error.exitCode : EXIT.internal;
}
// Exit once both streams are flushed, rather than when fetch's idle keep-alive socket lets go (~0.3 s later).
process.stderr.write("", () => process.stdout.write("", () => process.exit(code)));
