import { Hono } from "hono";
import type { AppEnv } from "../env";
import { batchesRoutes } from "./batch-routes";
import { fileRoutes } from "./file-routes";

/** The Batch API room: /v1/files and /v1/batches (task batches and their results included). */
export const batchRoutes = new Hono<AppEnv>().route("/files", fileRoutes).route("/batches", batchesRoutes);
