import { Hono } from "hono";
import type { FileObject } from "openai/resources/files";
import type { AppEnv } from "../env";
import { badRequest } from "../errors";
import { relayBody } from "../http/body";
import { callerKey } from "../keys/auth";
import { forgetOwned, ownedBy } from "../keys/owned";
import { listJson, ownedPage } from "./lists";
import { recordFile } from "./owners";
import { deleteFile, fileContent, retrieveFile, uploadFile } from "./upstream";

const fileOf = (meta: string | null) => JSON.parse(meta ?? "{}") as FileObject;

/**
 * OpenAI's Files API for batch files, owner-scoped: an upload is passed through to the upstream
 * as a stream (never held), and the file is its key's; reads and deletes go through `ownedBy`.
 */
export const fileRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const key = callerKey(c.get("caller"));
    const contentType = c.req.header("content-type") ?? "";
    const body = c.req.raw.body;
    if (!contentType.startsWith("multipart/form-data") || !body) {
      throw badRequest("upload the file as multipart/form-data with the fields file and purpose", "file");
    }
    // With its length known the upload goes upstream with a content-length, as it came.
    const length = Number(c.req.header("content-length"));
    const file = await relayBody(body, Number.isSafeInteger(length) && length > 0 ? length : null, (upload) => uploadFile(c.env, upload, contentType));
    if (file.purpose !== "batch") {
      await deleteFile(c.env, file.id).catch(() => undefined);
      throw badRequest(`purpose: nanometer keeps files for the Batch API only (purpose batch), not ${file.purpose}`, "purpose");
    }
    await recordFile(c.get("db"), file, { keyId: key.id, requestId: c.get("requestId") });
    return c.json(file);
  })
  .get("/", async (c) => {
    const purpose = c.req.query("purpose");
    const now = Date.now() / 1000;
    const { objects, hasMore } = await ownedPage(c, "file", c.req.query(), 10_000, 10_000, ({ meta }) => {
      const file = fileOf(meta);
      return (purpose === undefined || file.purpose === purpose) && (file.expires_at == null || file.expires_at > now);
    });
    return c.json(listJson(objects.map(({ meta }) => fileOf(meta)), hasMore));
  })
  .get("/:id", async (c) => {
    const { id } = await ownedBy(c, "file", c.req.param("id"));
    return c.json(await retrieveFile(c.env, id));
  })
  .get("/:id/content", async (c) => {
    const { id } = await ownedBy(c, "file", c.req.param("id"));
    const { body, contentType } = await fileContent(c.env, id);
    return new Response(body, { headers: { "content-type": contentType } });
  })
  .delete("/:id", async (c) => {
    const { id } = await ownedBy(c, "file", c.req.param("id"));
    const deleted = await deleteFile(c.env, id);
    await forgetOwned(c.get("db"), "file", id);
    return c.json(deleted);
  });
