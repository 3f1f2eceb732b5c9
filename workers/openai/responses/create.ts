import type { Context } from "hono";
import type { ResponseCreateParamsNonStreaming, ResponseCreateParamsStreaming } from "openai/resources/responses/responses";
import { z } from "zod";
import type { AppEnv } from "../../env";
import { readJson, validate } from "../../http/body";
import { closeMeter } from "../../http/meter";
import { recordOwner } from "../../keys/owned";
import { refuseHostedTools } from "../hosted-tools";
import { metered, meteredStream, type OpenMeter } from "../passthrough";
import { openMeta } from "./background";
import { billFinished, isFinished } from "./finished";
import { recordItems } from "./items";
import { onResponse, responsesDialect } from "./stream";
import { createResponse, createResponseStream } from "./upstream";

/**
 * Only what nanometer needs to meter the call; the rest goes upstream as sent. The stored ids it
 * names are guarded with the Chat Completions' (passthrough.ts `metered`).
 */
const responsesRequest = z.looseObject({
  model: z.string().min(1).max(100).optional(),
  stream: z.boolean().nullish(),
  background: z.boolean().nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).max(200).nullish(),
  service_tier: z.string().max(50).nullish(),
});

/**
 * POST /v1/responses: the OpenAI request upstream as sent, the answer back unchanged, metered
 * from its usage (a stream's from its terminal event). A background response answers before it
 * has usage: it is billed once it is seen finished (background.ts).
 */
export async function createResponses(c: Context<AppEnv>): Promise<Response> {
  const body = validate(responsesRequest, await readJson(c));
  refuseHostedTools(body);
  const stored = body.store !== false;
  return metered(c, "responses", body, async (opened) => {
    const params = { ...body, model: opened.model };
    if (body.stream) {
      const upstream = await createResponseStream(c.env, params as ResponseCreateParamsStreaming);
      const events = onResponse(upstream.stream, {
        created: async (response) => {
          if (stored) await recordResponseOwner(c, opened, response.id, false);
        },
        ended: async (response) => {
          if (stored) await recordItems(c.get("db"), opened.meter, response.output);
        },
      });
      return meteredStream(c, opened, { ...upstream, stream: events }, responsesDialect());
    }
    const answer = await createResponse(c.env, params as ResponseCreateParamsNonStreaming);
    const open = answer.data.background === true && !isFinished(answer.data);
    // An open response is recorded whatever `store` says: it is billed from that record.
    if (stored || open) await recordResponseOwner(c, opened, answer.data.id, open);
    if (stored) await recordItems(c.get("db"), opened.meter, answer.data.output);
    if (!open) {
      const { status, error } = billFinished(opened.meter, opened.model, answer.upstream, answer.data);
      closeMeter(c, opened.meter, opened.model, status, error);
    }
    return c.body(answer.body, 200, { "content-type": "application/json" });
  }, body.background ? BACKGROUND_HOLD_MS : undefined);
}

/** A background response holds its reservation until it is billed (background.ts), a day at most. */
const BACKGROUND_HOLD_MS = 24 * 3_600_000;

/**
 * Records that the caller's key owns the response, before the caller learns its id. An open
 * (background) response keeps what billing it later needs. A failed write is logged whole and
 * does not fail the call: the answer is already paid for upstream.
 */
async function recordResponseOwner(c: Context<AppEnv>, { meter, model }: OpenMeter, id: string, open: boolean): Promise<void> {
  const owner = {
    kind: "response" as const,
    id,
    keyId: meter.keyId,
    requestId: meter.requestId,
    createdAt: meter.startedAt,
    settledAt: open ? null : Date.now(),
    meta: open ? openMeta(model, meter.tier) : null,
  };
  try {
    await recordOwner(c.get("db"), owner);
  } catch (err) {
    console.error("recording a response's owner failed", JSON.stringify(owner), err instanceof Error ? err.message : String(err));
  }
}
