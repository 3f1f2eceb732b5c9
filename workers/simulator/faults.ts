/**
 * Fault injection, asked for by the `x-sim-fault` header or by a directive anywhere in the
 * message contents: `[[sim:fault=KIND,times=N,retry_after=S,ms=N]]`. The header takes the same
 * list with or without `fault=` (`x-sim-fault: 429,times=1`). With `times=N` only the first N
 * sightings of the same request body fail; later ones are answered normally.
 */
import { errorResponse, InvalidRequestError } from './errors';
import { hashString } from './hash';
import { sleep, untilAborted } from './timing';

const FAULT_KINDS = ['429', '500', '503', '400', 'timeout', 'malformed', 'empty_stream', 'done_only'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type Fault = {
  kind: FaultKind;
  /** Fail only the first `times` sightings of the same request body. */
  times: number | null;
  /** 429 only: seconds in `retry-after` (fractions allowed). */
  retryAfterSeconds: number;
  /** timeout only: hang this long then answer normally; null hangs until the client aborts. */
  hangMs: number | null;
};

const DIRECTIVE = /\[\[sim:([^\]]*)\]\]/g;
const MAX_TRACKED_REQUESTS = 10_000;

export function stripDirectives(text: string): string {
  return text.replace(DIRECTIVE, ' ');
}

function numberSetting(settings: Map<string, string>, name: string): number | null {
  const raw = settings.get(name);
  if (raw === undefined) return null;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new InvalidRequestError(`Simulator fault setting ${name}=${raw} is not a non-negative number.`);
  return value;
}

export function parseFault(spec: string): Fault {
  const settings = new Map<string, string>();
  for (const item of spec.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [name, value] = item.includes('=') ? item.split('=', 2) : ['fault', item];
    settings.set((name ?? '').trim().toLowerCase(), (value ?? '').trim());
  }
  const kind = FAULT_KINDS.find((known) => known === settings.get('fault'));
  if (!kind) throw new InvalidRequestError(`Unknown simulator fault "${spec}"; use one of ${FAULT_KINDS.join(', ')}.`);
  return {
    kind,
    times: numberSetting(settings, 'times'),
    retryAfterSeconds: numberSetting(settings, 'retry_after') ?? 1,
    hangMs: numberSetting(settings, 'ms'),
  };
}

/** The requested fault: the header wins, else the first directive found in the texts. */
export function findFault(header: string | null, texts: readonly string[]): Fault | null {
  if (header) return parseFault(header);
  for (const text of texts) {
    for (const match of text.matchAll(DIRECTIVE)) {
      if (/(^|,)\s*fault\s*=/.test(match[1] ?? '')) return parseFault(match[1] ?? '');
    }
  }
  return null;
}

/** The settings of every `[[sim:...]]` directive in the texts, in order. */
function directives(texts: readonly string[]): Map<string, string>[] {
  return texts.flatMap((text) =>
    [...text.matchAll(DIRECTIVE)].map(
      (match) => new Map((match[1] ?? '').split(',').map((item) => item.split('=', 2).map((part) => part.trim()) as [string, string])),
    ),
  );
}

/**
 * `[[sim:fail_rate=R,model=M]]`: json_schema answers of model M (every model when `model` is
 * absent) break their schema with probability R, as the `failRate` option does. Null: no directive.
 */
export function directiveFailRate(texts: readonly string[], model: string): number | null {
  for (const settings of directives(texts)) {
    const rate = Number(settings.get('fail_rate'));
    if (!settings.has('fail_rate') || !Number.isFinite(rate)) continue;
    if (!settings.has('model') || settings.get('model') === model) return Math.min(1, Math.max(0, rate));
  }
  return null;
}

/** The value of the first `[[sim:NAME=value]]` setting in the texts; null when there is none. */
export function directiveValue(texts: readonly string[], name: string): string | null {
  return directives(texts).find((settings) => settings.has(name))?.get(name) || null;
}

/** `[[sim:tier=NAME]]`: the service tier to report, whatever was asked for. Null: no directive. */
export function directiveTier(texts: readonly string[]): string | null {
  return directiveValue(texts, 'tier');
}

/**
 * `[[sim:usage=omit]]` (or the header `x-sim-usage: omit`): a stream ends without usage, as an
 * upstream that drops it would, to exercise a gateway's handling of a call it cannot meter.
 */
export function usageOmitted(headers: Headers, texts: readonly string[]): boolean {
  return (headers.get('x-sim-usage') ?? directiveValue(texts, 'usage')) === 'omit';
}

/** Counts sightings of each (request body, fault) pair, to honour `times=N`. */
export class FaultCounter {
  private readonly seen = new Map<string, number>();

  /** Records this sighting; true when the fault should fire. */
  fires(fault: Fault, body: string): boolean {
    if (fault.times === null) return true;
    const key = `${fault.kind}:${hashString(body).toString(36)}:${hashString(body, 7).toString(36)}`;
    const count = (this.seen.get(key) ?? 0) + 1;
    this.seen.delete(key);
    this.seen.set(key, count);
    for (const oldest of this.seen.keys()) {
      if (this.seen.size <= MAX_TRACKED_REQUESTS) break;
      this.seen.delete(oldest);
    }
    return count <= fault.times;
  }
}

/** The response of the fault the call asks for, if it fires; null when the call should be answered normally. */
export async function injectedFault(counter: FaultCounter, raw: string, headers: Headers, texts: readonly string[], signal: AbortSignal): Promise<Response | null> {
  const fault = findFault(headers.get('x-sim-fault'), texts);
  return fault && counter.fires(fault, raw) ? faultResponse(fault, signal) : null;
}

/** The fault's response, or null when the request should then be answered normally. */
async function faultResponse(fault: Fault, signal: AbortSignal): Promise<Response | null> {
  switch (fault.kind) {
    case '429': {
      const seconds = fault.retryAfterSeconds;
      return errorResponse(429, 'Rate limit reached (simulated).', 'requests', 'rate_limit_exceeded', null, {
        'retry-after': String(seconds),
        'retry-after-ms': String(Math.round(seconds * 1000)),
      });
    }
    case '500':
      return errorResponse(500, 'The server had an error while processing your request (simulated).', 'server_error');
    case '503':
      return errorResponse(503, 'The engine is currently overloaded, please try again later (simulated).', 'server_error', 'service_unavailable');
    case '400':
      return errorResponse(400, 'Invalid request (simulated).', 'invalid_request_error', 'simulated_invalid_request');
    case 'malformed':
      return new Response('{"id":"chatcmpl-malformed","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"trunc', {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    case 'empty_stream':
      return eventStream('');
    case 'done_only':
      return eventStream('data: [DONE]\n\n');
    case 'timeout':
      if (fault.hangMs === null) {
        await untilAborted(signal);
        return errorResponse(408, 'Client closed the request (simulated timeout).', 'timeout');
      }
      await sleep(fault.hangMs, signal);
      return null;
  }
}

/** A 200 event stream with the given body and no event of the API's, streamed or not: an upstream that answers a call with nothing. */
function eventStream(body: string): Response {
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
}
