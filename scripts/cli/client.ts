import { CliError, EXIT } from "./exit";

const TIMEOUT_MS = 30_000;

export interface Config {
  base: URL;
  key: string;
}

/** NANOMETER_URL (the gateway's address) and NANOMETER_KEY (an API key or the admin token). */
export function configFrom(env: NodeJS.ProcessEnv): Config {
  const url = env.NANOMETER_URL?.trim();
  const key = env.NANOMETER_KEY?.trim();
  if (!url) throw new CliError(EXIT.config, "NANOMETER_URL is not set: export NANOMETER_URL=http://127.0.0.1:8787 (the gateway's address)");
  if (!key) throw new CliError(EXIT.config, "NANOMETER_KEY is not set: export NANOMETER_KEY=<an API key, or the admin token>");
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new CliError(EXIT.badUrl, `NANOMETER_URL is not a URL: ${JSON.stringify(url)}`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new CliError(EXIT.badUrl, `NANOMETER_URL must be http:// or https://, not ${JSON.stringify(url)}`);
  }
  return { base, key };
}

/** The API path under the gateway's address, which may itself have a path (a proxy's prefix). */
export function urlOf(config: Config, path: string, query: URLSearchParams): URL {
  const url = new URL(config.base);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`;
  url.search = query.toString();
  return url;
}

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "unknown host",
  EAI_AGAIN: "unknown host",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_CONNECT_TIMEOUT: "connect timeout",
};

function unreachable(url: URL, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why =
    (error as Error).name === "TimeoutError"
      ? `no answer in ${TIMEOUT_MS / 1000} s`
      : (NETWORK_WORDS[cause?.code ?? ""] ?? cause?.message ?? (error as Error).message);
  return new CliError(EXIT.unreachable, `cannot reach nanometer at ${url.origin} (${why}): is it running, and is NANOMETER_URL right?`);
}

/** nanometer's `{error: {type, message, field}}`, or the start of whatever else answered. */
function describeError(status: number, text: string): string {
  try {
    const { error } = JSON.parse(text) as { error?: { type?: string; message?: string; field?: string } };
    if (error?.message) {
      // nanometer's messages often start with the field already ("group_by: use any of ...").
      const field = error.field && !error.message.startsWith(error.field) ? ` (${error.field})` : "";
      return `${status} ${error.type ?? "error"}${field}: ${error.message}`;
    }
  } catch {
    // not JSON: a proxy's page or another server
  }
  const start = text.replace(/\s+/g, " ").trim().slice(0, 120);
  return `${status} from a server that is not nanometer${start ? `: ${start}` : ""}`;
}

function failure(status: number, text: string): CliError {
  const message = describeError(status, text);
  if (status === 401) return new CliError(EXIT.unauthorized, `${message} (check NANOMETER_KEY)`);
  if (status === 403) return new CliError(EXIT.forbidden, message);
  if (status >= 400 && status < 500) return new CliError(EXIT.rejected, message);
  return new CliError(EXIT.server, message);
}

export interface Answer {
  /** The body's bytes exactly as received. */
  bytes: Uint8Array;
  text: string;
  contentType: string;
}

/** GET an API path; any failure becomes a one-line CliError with its exit code. */
export async function get(config: Config, path: string, query = new URLSearchParams()): Promise<Answer> {
  const url = urlOf(config, path, query);
  let res: Response;
  let bytes: Uint8Array;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${config.key}` }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (error) {
    throw unreachable(url, error);
  }
  const text = new TextDecoder().decode(bytes);
  if (!res.ok) throw failure(res.status, text);
  return { bytes, text, contentType: res.headers.get("content-type") ?? "" };
}
