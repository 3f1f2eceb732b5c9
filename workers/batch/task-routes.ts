import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { API_KEY, apiRoute, apiRoutes, errorAnswers, jsonAnswer, KEY_OR_ADMIN } from "../openapi/define";
import { resultsQuery, taskBatchResults, taskResultSchema } from "./results";
import { createTaskBatch, taskBatch } from "./tasks";

/** The fields nanometer reads of OpenAI's Batch object; the rest is the upstream's, as OpenAI documents it. */
const batchObjectSchema = z
  .looseObject({
    id: z.string(),
    object: z.literal("batch"),
    endpoint: z.string(),
    input_file_id: z.string(),
    completion_window: z.string(),
    status: z.string(),
    created_at: z.int(),
  })
  .meta({ id: "Batch", description: "OpenAI's Batch object (https://platform.openai.com/docs/api-reference/batch/object)" });

const tags = ["Task batches"];

const createRouteDefinition = createRoute({
  method: "post",
  path: "/tasks",
  tags,
  summary: "Runs up to 50 000 bodies of one task endpoint as one Batch API batch, at the batch price",
  security: API_KEY,
  request: { body: { required: true, content: { "application/json": { schema: taskBatch } } } },
  responses: { 200: jsonAnswer(batchObjectSchema, "The batch, as OpenAI's Batch API answers it"), ...errorAnswers(400, 401, 402, 403, 413, 429, 500, 502, 503, 504) },
});

const resultsRoute = createRoute({
  method: "get",
  path: "/{id}/results",
  tags,
  summary: "A task batch's results in the items' order, each read by the task's own check, once the batch has ended",
  security: KEY_OR_ADMIN,
  request: { params: z.object({ id: z.string() }), query: resultsQuery },
  responses: {
    200: jsonAnswer(z.strictObject({ data: z.array(taskResultSchema), next_cursor: z.string().nullable() }), "A page of results"),
    ...errorAnswers(400, 401, 403, 404, 409, 429, 500, 502, 503, 504),
  },
});

/** POST /v1/batches/tasks and GET /v1/batches/{id}/results: nanometer's own, beside OpenAI's Batch API (batch-routes.ts). */
export const taskBatchRoutes = apiRoutes([
  apiRoute(createRouteDefinition, async (c) => createTaskBatch(c, c.req.valid("json"))),
  apiRoute(resultsRoute, async (c) => taskBatchResults(c, c.req.valid("param").id, c.req.valid("query"))),
]);
