import { format } from "@cfworker/json-schema";

/**
 * The validator's `url` format is a regular expression that backtracks exponentially on its host
 * (`(?:[a-z0-9]+-?)*[a-z0-9]+`: "http://" and 30 letters and a "!" take seconds, 40 take hours),
 * and a model's answer is what it reads. Replaced, once for the whole Worker, by the same rule in
 * linear time: an http, https or ftp URL as the WHATWG parser reads it, without spaces, whose host
 * is a public IPv4 address or a name ending in a top-level domain of two letters or more (the
 * regex refuses private and loopback addresses, and bare names like localhost, likewise).
 * The validator's other formats were probed with repeated hostile fragments and stay linear.
 */
const PRIVATE_IPV4 = [/^10\./, /^127\./, /^169\.254\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^0\./];
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** The parser gives an international name as punycode: its top-level domain may be xn--…. */
const NAMED_HOST = /\.([a-z]{2,}|xn--[a-z0-9-]+)$/i;

export function isUrl(text: string): boolean {
  if (/\s/u.test(text) || !/^(https?|ftp):\/\//i.test(text)) return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  const host = url.hostname;
  if (IPV4.test(host)) return !PRIVATE_IPV4.some((range) => range.test(host)) && Number(host.split(".")[0]) <= 223;
  return NAMED_HOST.test(host);
}

format.url = isUrl;
