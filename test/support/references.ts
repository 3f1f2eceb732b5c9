import OpenAI from "openai";
import { nonce } from "./responses";
import { openaiClient } from "./sdk";
import { createKey } from "./worker";

/** Helpers for the tests of stored ids inside requests (previous responses, items, files). */

export const MODEL = "gpt-5.4-nano";

/** A key with one stored response whose input holds its secret: the response and the id of its input item. */
export async function keyWithSecret(body: Record<string, unknown> = {}) {
  const { key, id } = await createKey(body);
  const { client, settled } = openaiClient(key);
  const secret = `secret data of B ${nonce()}`;
  const response = await client.responses.create({ model: MODEL, input: secret });
  const [inputItem] = (await client.responses.inputItems.list(response.id)).data;
  await settled();
  return { key, id, client, settled, secret, response, inputItemId: inputItem!.id! };
}

/** The response's message output item. */
export const messageOf = (response: OpenAI.Responses.Response) => response.output.find((item) => item.type === "message")!;

/** What an SDK call ended in: its answer, or the error's status and body. */
export async function outcome<T>(request: Promise<T>): Promise<{ status: number; answer?: T; error?: unknown }> {
  try {
    return { status: 200, answer: await request };
  } catch (err) {
    if (!(err instanceof OpenAI.APIError)) throw err;
    return { status: err.status ?? 0, error: err.error };
  }
}

export const notFound = (kind: string, id: string, field: string) => ({ status: 404, error: { type: "not_found", message: `no ${kind} with id ${id}`, field } });
