import type { Env } from "../env";
import { badRequest } from "../errors";
import { lineEndUser } from "./attribution";
import { inputTokenBound, type ModelApi, outputTokenBound } from "../metering/bounds";
import type { CallBound } from "../metering/cost";
import { priceAt, type PriceRow } from "../metering/prices";
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
  return null;
}

/** What the input file's check finds: every line's bound, and the end users lines name ([custom_id, end user]). */
export interface CheckedInput extends CallBound {
  endUsers: [string, string][];
}

/**
 * Reads the input file from the upstream, line by line, and checks every line as the batch will
 * be metered: a 400 naming `input_file_id` and the line number for the first that fails (its
 * safety_identifier or user included).
 * Answers the batch's one model, and the most tokens all its lines can be billed (each line's
 * bound, its output by the limit its url's API honours; `reserveOutput` for a line without one),
 * which a budget reserves. `url` is one of BATCH_ENDPOINTS (the route checked it).
 */
export async function checkInputFile(
  env: Env,
  fileId: string,
  url: string,
  prices: readonly PriceRow[],
  now: number,
  reserveOutput: number,
): Promise<CheckedInput> {
  const { body } = await fileContent(env, fileId);
  const api = BATCH_ENDPOINTS[url]!;
  const seen = new Map<string, number>();
  let model: string | null = null;
  let number = 0;
  let [inputTokens, outputTokens] = [0, 0];
  const endUsers: [string, string][] = [];
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
    inputTokens += inputTokenBound(line.body);
    outputTokens += outputTokenBound(api, line.body, reserveOutput);
    if (seen.size > MAX_BATCH_LINES) throw badRequest(`input_file_id: ${fileId} has more than ${MAX_BATCH_LINES} requests, a batch's limit`, "input_file_id");
  }
  if (model === null) throw badRequest(`input_file_id: ${fileId} has no requests`, "input_file_id");
  return { model, inputTokens, outputTokens, endUsers };
}
