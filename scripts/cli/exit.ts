/** The command's exit codes: one per kind of failure, so a script can tell them apart. */
export const EXIT = {
  ok: 0,
  internal: 1, // a bug in the command itself
  usage: 2, // unknown command, option or column
  config: 3, // NANOMETER_URL or NANOMETER_KEY is not set
  badUrl: 4, // NANOMETER_URL is not an http(s) URL
  unreachable: 5, // connection refused, unknown host, no answer in time
  unauthorized: 6, // 401: the key is wrong or revoked
  forbidden: 7, // 403: the key may not read this (admin only, another key's spend)
  rejected: 8, // any other 4xx: a bad option value, a group the server does not know
  server: 9, // 5xx, or an answer that is not nanometer's
} as const;

export const EXIT_HELP = `Exit codes:
  0 ok          2 usage            3 NANOMETER_URL/KEY not set   4 invalid NANOMETER_URL
  5 unreachable 6 401 bad key      7 403 forbidden               8 other 4xx (bad request)
  9 5xx or not nanometer           1 internal error`;

/** A failure the user should see as one line on stderr, and exit with. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, `${message} (see --help)`);
