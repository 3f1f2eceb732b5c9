/** Errors in OpenAI's wire shape: `{error: {message, type, param, code}}`. */

/** OpenAI's `invalid_request_error`: a 400, or the status given (404 for an unknown object). */
export class InvalidRequestError extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly status = 400,
  ) {
    super(message);
  }
}

function errorBody(message: string, type: string, param: string | null, code: string | null) {
  return { error: { message, type, param, code } };
}

export function errorResponse(
  status: number,
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(errorBody(message, type, param, code)), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
