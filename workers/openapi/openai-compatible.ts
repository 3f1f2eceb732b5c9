import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { attributionHeaders } from "../attribution/attribution";
import { API_KEY, KEY_OR_ADMIN } from "./define";

const REFERENCE = "https://platform.openai.com/docs/api-reference";

/**
 * The OpenAI-compatible operations: OpenAI's API as it is, metered and owner-scoped. The document
 * lists each with a link to OpenAI's reference, where its request and answer are defined; their
 * shapes are checked against OpenAI's published schemas in the tests. A test fails on any route of
 * the app that is neither defined with its schemas nor listed here.
 */
const OPERATIONS = [
  ["post", "/v1/chat/completions", "chat/create", "Creates a chat completion (streamed when `stream` is true)"],
  ["post", "/v1/responses", "responses/create", "Creates a model response (streamed when `stream` is true)"],
  ["get", "/v1/responses/{id}", "responses/get", "Retrieves a stored response of the caller's"],
  ["delete", "/v1/responses/{id}", "responses/delete", "Deletes a stored response, billing it first if it ran in the background"],
  ["get", "/v1/responses/{id}/input_items", "responses/input-items", "Lists a stored response's input items"],
  ["post", "/v1/responses/{id}/cancel", "responses/cancel", "Cancels a background response"],
  ["get", "/v1/models", "models/list", "The models nanometer has a price for"],
  ["get", "/v1/models/{model}", "models/retrieve", "One priced model"],
  ["post", "/v1/files", "files/create", "Uploads a batch input file (multipart, purpose=batch)"],
  ["get", "/v1/files", "files/list", "The caller's files"],
  ["get", "/v1/files/{id}", "files/retrieve", "One of the caller's files"],
  ["get", "/v1/files/{id}/content", "files/retrieve-contents", "A file's content"],
  ["delete", "/v1/files/{id}", "files/delete", "Deletes a file"],
  ["post", "/v1/batches", "batch/create", "Creates a batch of chat completions or responses, its input file checked first"],
  ["get", "/v1/batches", "batch/list", "The caller's batches"],
  ["get", "/v1/batches/{id}", "batch/retrieve", "One of the caller's batches (metered once it has ended)"],
  ["post", "/v1/batches/{id}/cancel", "batch/cancel", "Cancels a batch"],
] as const;

/** Calls that create something are billed to a key; reads are open to the admin token too. */
const creates = (method: string, path: string) => method === "post" && !path.endsWith("/cancel");

/** The calls metered as they run, whose ledger rows carry the attribution headers' tags and end user. */
const ATTRIBUTED = ["/v1/chat/completions", "/v1/responses"];

export function registerOpenAICompatible(registry: OpenAPIHono["openAPIRegistry"]): void {
  for (const [method, path, reference, summary] of OPERATIONS) {
    const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    registry.registerPath({
      method,
      path,
      tags: ["OpenAI-compatible"],
      summary,
      description: "OpenAI's operation, unchanged but metered: the request and answer are as OpenAI's reference defines them.",
      externalDocs: { description: "OpenAI's reference", url: `${REFERENCE}/${reference}` },
      security: creates(method, path) ? API_KEY : KEY_OR_ADMIN,
      request: {
        ...(names.length > 0 && { params: z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) }),
        ...(method === "post" && ATTRIBUTED.includes(path) && { headers: attributionHeaders }),
      },
      responses: {
        default: { description: "OpenAI's answer; nanometer's own refusals (auth, budget, rate limit, bad input) in its error shape" },
      },
    });
  }
}
