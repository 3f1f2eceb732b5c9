import { Hono } from "hono";
import type { AppEnv } from "../env";
import { batchesRoutes } from "./batch-routes";
import { fileRoutes } from "./file-routes";
export { taskBatchRoutes } from "./task-routes";

/** The Batch API room, OpenAI-compatible: /v1/files and /v1/batches. Task batches are nanometer's own (task-routes.ts). */
export const batchRoutes = new Hono<AppEnv>().route("/files", fileRoutes).route("/batches", batchesRoutes);
