import type { Context } from "hono";
import type { AppEnv } from "../env";
import { badRequest } from "../errors";
import { hostedTool } from "../openai/hosted-tools";
import { notOwned, ownedReferences } from "../keys/owned";
import { type StoredReference, storedReferences } from "../keys/references";
import { lineEndUser } from "./attribution";
import { inputTokenBound, type ModelApi, outputTokenBound, withPulledIn } from "../metering/bounds";
import type { CallBound } from "../metering/cost";
import { priceAt, type PriceRow } from "../metering/prices";
import { pulledInTokens } from "../metering/pulled-in";
import { textLines } from "./jsonl";
import { fileContent } from "./upstream";

/** What a batch may target: the endpoints nanometer meters, by URL, with their ledger names. */
export const BATCH_ENDPOINTS: Record<string, ModelApi> = { "/v1/chat/completions": "chat.completions", "/v1/responses": "responses" };
/** OpenAI's limit on the requests of one batch. */
export const MAX_BATCH_LINES = 50_000;
export const BATCH_TIER = "batch";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Why one batch line cannot be metered (or null), given the lines before it. */
export function lineProblem(value: unknown, url: string, seen: Map<string, number>, model: string | null, prices: readonly PriceRow[], now: number): string | null {
  if (!isObject(value)) return "is not a JSON object";
  const { custom_id: id, method, url: lineUrl, body } = value;
  if (typeof id !== "string" || id === "") return "has no custom_id";
  const first = seen.get(id);
  if (first !== undefined) return `repeats custom_id ${JSON.stringify(id)} of line ${first}: each must be unique`;
  if (method !== "POST") return "has a method other than POST";
  if (lineUrl !== url) return `asks for url ${JSON.stringify(lineUrl)}, not the batch's endpoint ${url}`;
  if (!isObject(body)) return "has no body object";
  if (typeof body.model !== "string") return "has no body.model";
  if (model !== null && body.model !== model) return `uses model ${body.model}, and an earlier line ${model}: a batch runs one model`;
  if (!priceAt(prices, body.model, BATCH_TIER, now)) return `uses model ${body.model}, which has no batch price, so it cannot be metered`;
  const hosted = hostedTool(body);
  return hosted && `asks for a hosted tool: ${hosted.message}`;
}

/** What the input file's check finds: every line's bound, and the end users lines name ([custom_id, end user]). */
export interface CheckedInput extends CallBound {
  endUsers: [string, string][];
}

/**
 * Reads the input file from the upstream, line by line, and checks every line as the batch will
 * be metered: a 400 naming `input_file_id` and the line number for the first that fails (its
 * safety_identifier or user included, and the stored ids it names: the caller's own).
 * Answers the batch's one model, and the most tokens all its lines can be billed (each line's
 * bound, its output by the limit its url's API honours; `reserveOutput` for a line without one),
 * which a budget reserves. `url` is one of BATCH_ENDPOINTS (the route checked it).
 */
export async function checkInputFile(
  c: Context<AppEnv>,
  fileId: string,
  url: string,
  prices: readonly PriceRow[],
  now: number,
  reserveOutput: number,
): Promise<CheckedInput> {
  const { body } = await fileContent(c.env, fileId);
  const api = BATCH_ENDPOINTS[url]!;
  const seen = new Map<string, number>();
  let model: string | null = null;
  let number = 0;
  let [inputTokens, outputTokens] = [0, 0];
  const endUsers: [string, string][] = [];
  // Lines naming stored ids: checked (and their pulled-in tokens counted) together, once read.
  const referencing: { number: number; inputTokens: number; refs: StoredReference[] }[] = [];
  for await (const text of textLines(body)) {
    number += 1;
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const problem = lineProblem(value, url, seen, model, prices, now);
    if (problem) throw badRequest(`input_file_id: line ${number} of ${fileId} ${problem}`, "input_file_id");
    const line = value as { custom_id: string; body: { model: string } & Record<string, unknown> };
    seen.set(line.custom_id, number);
    const endUser = lineEndUser(line.body, `input_file_id: line ${number} of ${fileId}`);
    if (endUser) endUsers.push([line.custom_id, endUser]);
    model = line.body.model;
    const refs = storedReferences(line.body);
    if (refs.length === 0) inputTokens += inputTokenBound(line.body);
    else referencing.push({ number, inputTokens: inputTokenBound(line.body), refs });
    outputTokens += outputTokenBound(api, line.body, reserveOutput);
    if (seen.size > MAX_BATCH_LINES) throw badRequest(`input_file_id: ${fileId} has more than ${MAX_BATCH_LINES} requests, a batch's limit`, "input_file_id");
  }
  if (model === null) throw badRequest(`input_file_id: ${fileId} has no requests`, "input_file_id");
  inputTokens += await referencedLineTokens(c, fileId, referencing);
  return { model, inputTokens, outputTokens, endUsers };
}

/**
 * The owner guard over the stored ids of the lines that name some: a 400 naming the first line
 * that names one the caller may not use, with the same words as the online 404; else the lines'
 * input bounds, each with what its references pull in.
 */
async function referencedLineTokens(c: Context<AppEnv>, fileId: string, lines: { number: number; inputTokens: number; refs: StoredReference[] }[]): Promise<number> {
  const refs = lines.flatMap(({ number, refs }) => refs.map((ref) => ({ ...ref, line: number })));
  const { objects, unowned } = await ownedReferences(c.get("db"), c.get("caller"), refs);
  if (unowned) throw badRequest(`input_file_id: line ${unowned.line} of ${fileId} names ${notOwned(unowned).message}`, "input_file_id");
  const pulledIn = await pulledInTokens(c.get("db"), objects);
  let next = 0;
  return lines.reduce((sum, line) => {
    const own = pulledIn.slice(next, (next += line.refs.length));
    return sum + withPulledIn(line.inputTokens, own);
  }, 0);
}
