import type { Response as OpenAIResponse, ResponseErrorEvent, ResponseStreamEvent } from "openai/resources/responses/responses";
import { usageFromResponses } from "../../metering/cost";
import type { StreamDialect } from "../sse";
import { failureOf } from "./finished";

const frame = (event: { type: string }) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

/**
 * Responses events: usage and tier sit in the terminal event's response (`response.completed`,
 * `response.incomplete`, `response.failed`); `response.failed` and `error` say the call failed.
 * Every event is handed on; a stream that breaks off, or ends before its terminal event, ends
 * with an `error` event of OpenAI's shape, numbered after the last one sent.
 */
export function responsesDialect(): StreamDialect<ResponseStreamEvent> {
  let nextSequence = 0;
  return {
    inspect(event, end) {
      nextSequence = event.sequence_number + 1;
      if (event.type === "response.completed" || event.type === "response.incomplete" || event.type === "response.failed") {
        const response = event.response;
        end.usage = response.usage ? usageFromResponses(response.usage) : null;
        end.serviceTier = response.service_tier ?? null;
        end.failure = failureOf(response);
        end.finished = true;
      } else if (event.type === "error") {
        end.finished = true;
        end.failure = { type: "upstream_error", message: `the upstream's stream reported an error: ${event.code ?? ""} ${event.message}`.trim() };
      }
    },
    frame,
    last: "",
    error: (message) => {
      const error: ResponseErrorEvent = { type: "error", code: "upstream_error", message, param: null, sequence_number: nextSequence };
      return frame(error);
    },
  };
}

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

/**
 * The upstream's events, unchanged; the response's id is known from the first one
 * (`response.created`), and `created` runs on it before the caller sees it; `ended` runs on the
 * terminal event's response (its output items) before the caller sees that.
 */
export async function* onResponse(
  events: AsyncIterable<ResponseStreamEvent>,
  hooks: Record<"created" | "ended", (response: OpenAIResponse) => Promise<void>>,
): AsyncGenerator<ResponseStreamEvent> {
  for await (const event of events) {
    if (event.type === "response.created") await hooks.created(event.response);
    if (TERMINAL.has(event.type)) await hooks.ended((event as { response: OpenAIResponse }).response);
    yield event;
  }
}
