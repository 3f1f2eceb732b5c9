import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorType =
  | "invalid_json"
  | "invalid_request"
  | "unauthorized"
  | "forbidden"
  | "budget_exceeded"
  | "not_found"
  | "conflict"
  | "method_not_allowed"
  | "payload_too_large"
  | "invalid_output"
  | "refused"
  | "rate_limited"
  | "upstream_rejected"
  | "upstream_error"
  | "upstream_timeout"
  | "not_configured"
  | "internal_error";

/** An error the caller should see, as the SPEC's `{error: {type, message, field?}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: ErrorType,
    message: string,
    readonly options: { field?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  get field(): string | undefined {
    return this.options.field;
  }

  toJSON() {
    return { error: { type: this.type, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

export const badRequest = (message: string, field?: string) =>
  new ApiError(400, "invalid_request", message, field ? { field } : {});

/** Maps anything thrown to an ApiError; unknown errors become a 500 that reveals nothing. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 413) return new ApiError(413, "payload_too_large", "request body is too large");
    return new ApiError(err.status as ContentfulStatusCode, "invalid_request", err.message || "bad request");
  }
  return new ApiError(500, "internal_error", "internal error");
}

export function onError(err: unknown, c: Context): Response {
  const apiError = toApiError(err);
  if (apiError.status >= 500 && !(err instanceof ApiError)) {
    // Name and message only: a stack or a request body could carry a secret.
    console.error("unhandled error", err instanceof Error ? `${err.name}: ${err.message}` : typeof err);
  }
  return c.json(apiError.toJSON(), apiError.status, apiError.options.headers);
}
