import { Hono } from "hono";
import { etag } from "hono/etag";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

export const JS = "text/javascript; charset=utf-8";
export const CSS = "text/css; charset=utf-8";

export type BundledFile = { body: string; type: string };

/**
 * A page and its files, bundled into the Worker as text (wrangler.toml's `?raw` rule): `/` is
 * the page with its headers (its CSP), `/<name>` each file. Not Workers static assets: an
 * [assets] block puts the assets router in front of every request, the API's too, and that hop
 * cost each API call more than the rest of the gateway (BENCHMARKS.md). Revalidated on each load
 * (a 304 by ETag), so a deploy shows at once.
 */
export function bundledFiles(page: string, pageHeaders: Record<string, string>, files: Record<string, BundledFile>) {
  const byName = new Map(Object.entries(files));
  return new Hono<AppEnv>()
    .use(etag())
    .use(async (c, next) => {
      await next();
      c.header("x-content-type-options", "nosniff");
      c.header("cache-control", "no-cache");
    })
    .get("/", (c) => c.html(page, 200, pageHeaders))
    .get("/:file{.+}", (c) => {
      const file = byName.get(c.req.param("file"));
      if (!file) throw new ApiError(404, "not_found", "no such file");
      return c.body(file.body, 200, { "content-type": file.type });
    });
}
