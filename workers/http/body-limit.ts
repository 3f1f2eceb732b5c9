import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type AppEnv, type Env, numberVar } from "../env";
import { ApiError } from "../errors";

const MIB = 1 << 20;

/**
 * The largest request body each path takes. Calls are JSON of a few KiB (1 MiB). A batch input
 * file is streamed to the upstream, never held, so it may be as large as a Worker accepts (100 MB
 * on the Free and Pro plans; OpenAI takes 200 MB). A task batch is parsed whole, with its items
 * and the lines built from them in memory, so it stays well inside a Worker's 128 MB.
 */
export function maxBodyBytes(env: Env, path: string): number {
  if (path === "/v1/files") return numberVar(env.MAX_UPLOAD_BYTES, 100 * MIB);
  if (path === "/v1/batches/tasks") return numberVar(env.MAX_TASK_BATCH_BYTES, 32 * MIB);
  return numberVar(env.MAX_BODY_BYTES, MIB);
}

/** 413 for a body over its path's limit, counted from content-length or, without one, as it is read. */
export const limitBody: MiddlewareHandler<AppEnv> = (c, next) => {
  const maxSize = maxBodyBytes(c.env, c.req.path);
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, "payload_too_large", `the request body is larger than ${maxSize} bytes`);
    },
  })(c, next);
};
