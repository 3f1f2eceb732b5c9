import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";

const ERROR_TYPES = [
  "invalid_json",
  "invalid_request",
  "unauthorized",
  "forbidden",
  "budget_exceeded",
  "not_found",
  "conflict",
  "method_not_allowed",
  "payload_too_large",
  "invalid_output",
  "refused",
  "rate_limited",
  "upstream_rejected",
  "upstream_error",
  "upstream_timeout",
  "not_configured",
  "internal_error",
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

/** The SPEC's error shape, as ApiError.toJSON writes it. */
export const errorSchema = z
  .strictObject({
    error: z.strictObject({
      type: z.enum(ERROR_TYPES),
      message: z.string(),
      field: z.string().optional().meta({ description: "The request field at fault, when one is" }),
    }),
  })
  .meta({ id: "Error" });

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

  toJSON(): z.infer<typeof errorSchema> {
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
