import { createRoute } from "@hono/zod-openapi";
import type { z } from "zod";
import { attributionHeaders } from "../attribution/attribution";
import { meteredSchema } from "../http/meter";
import { API_KEY, apiRoute, apiRoutes, errorAnswers, jsonAnswer } from "../openapi/define";
import { extract } from "./extract";
import { intent } from "./intent";
import { rerank } from "./rerank";
import { route } from "./route";
import { runTask } from "./run";
import { summarize } from "./summarize";
import { type Task, type TaskInput, titleOf } from "./task";
import { tool } from "./tool";

/** Every task, by its endpoint's name: online (below) and in task batches (batch/tasks.ts). */
export const TASKS = { intent, route, extract, tool, rerank, summarize } as const;
export type TaskName = keyof typeof TASKS;

/**
 * A task's answer: the metered fields every task answer has, and the task's own (its `output`,
 * whose type is what its `parse` returns; `.shape` alone has lost that type, hence the assertion).
 */
const answerSchema = <O extends object>(task: Task<z.ZodType<TaskInput>, O>) =>
  meteredSchema.extend(task.output.shape).meta({ id: `${titleOf(task)}Answer` }) as unknown as z.ZodType<z.infer<typeof meteredSchema> & O>;

/** POST /v1/<task>: the task's input schema in, its answer out. */
function definition<S extends z.ZodType<TaskInput>, O extends object>(task: Task<S, O>) {
  return createRoute({
    method: "post",
    path: `/${task.endpoint}`,
    tags: ["Tasks"],
    summary: task.summary,
    security: API_KEY,
    request: { headers: attributionHeaders, body: { required: true, content: { "application/json": { schema: task.input } } } },
    responses: {
      200: jsonAnswer(answerSchema(task), "The answer, with what it cost"),
      ...errorAnswers(400, 401, 402, 403, 404, 413, 422, 429, 500, 502, 503, 504),
    },
  });
}

/** One line per task endpoint. */
export const taskRoutes = apiRoutes([
  apiRoute(definition(intent), (c) => runTask(c, intent, c.req.valid("json"))),
  apiRoute(definition(route), (c) => runTask(c, route, c.req.valid("json"))),
  apiRoute(definition(extract), (c) => runTask(c, extract, c.req.valid("json"))),
  apiRoute(definition(tool), (c) => runTask(c, tool, c.req.valid("json"))),
  apiRoute(definition(rerank), (c) => runTask(c, rerank, c.req.valid("json"))),
  apiRoute(definition(summarize), (c) => runTask(c, summarize, c.req.valid("json"))),
]);
