/** Helpers for the Responses API tests: plain HTTP calls and SSE parsing, next to the SDK. */
export type StreamEvent = { type: string; sequence_number: number; [field: string]: unknown };

export function postResponse(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer anything', ...headers },
    body: JSON.stringify(body),
    signal,
  });
}

/** The events of a Responses SSE body; checks that each frame's `event:` names its data's type. */
export async function streamEvents(response: Response): Promise<StreamEvent[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      const event = JSON.parse((dataLine ?? '').replace(/^data: /, '')) as StreamEvent;
      if (eventLine !== `event: ${event.type}`) throw new Error(`frame "${eventLine}" carries a ${event.type} event`);
      return event;
    });
}

