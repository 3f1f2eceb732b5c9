import { Hono } from "hono";
import type { AppEnv } from "../env";
import { extract } from "./extract";
import { intent } from "./intent";
import { rerank } from "./rerank";
import { route } from "./route";
import { runTask } from "./run";
import { summarize } from "./summarize";
import { tool } from "./tool";

/** Every task, by its endpoint's name: online (below) and in task batches (batch/tasks.ts). */
export const TASKS = { intent, route, extract, tool, rerank, summarize } as const;
export type TaskName = keyof typeof TASKS;

/** One line per task endpoint. */
export const taskRoutes = new Hono<AppEnv>()
  .post("/intent", (c) => runTask(c, intent))
  .post("/route", (c) => runTask(c, route))
  .post("/extract", (c) => runTask(c, extract))
  .post("/tool", (c) => runTask(c, tool))
  .post("/rerank", (c) => runTask(c, rerank))
  .post("/summarize", (c) => runTask(c, summarize));
