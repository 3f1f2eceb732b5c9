import { OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import type { Context, Handler, MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { errorSchema } from "../errors";
import { readJson, validate } from "../http/body";

/** One operation: its definition (request and answer schemas, errors included) and its handler, typed against it. */
export interface ApiRoute {
  route: RouteConfig;
  handler: Handler<AppEnv>;
}

/**
 * Defines an operation. The handler is typed by @hono/zod-openapi from the route's schemas: what
 * it reads with `c.req.valid(...)` is the request schemas' output, and an answer (`c.json(body,
 * status)`) that does not fit the schema declared for its status does not compile.
 */
export function apiRoute<R extends RouteConfig>(route: R, handler: RouteHandler<R, AppEnv>): ApiRoute {
  return { route, handler: handler as unknown as Handler<AppEnv> };
}

declare const defined: unique symbol;

/** A group of defined operations: the only kind of group app.ts mounts as nanometer's own API. */
export type ApiRoutes = OpenAPIHono<AppEnv> & { readonly [defined]: true };

/**
 * The group of these operations behind `use` (the admin check, say). Each is registered for the
 * document (always: `hide` is not honoured) and routed as the library's `openapi()` routes it,
 * its own `middleware` first, but with nanometer's request check: the body read as JSON whatever
 * its content-type, and a 400 naming the first offending field (http/body.ts), as every endpoint
 * answered before there was a document. The library's own validators would answer a 415 to a
 * body sent without `content-type: application/json` (as `curl -d` sends it) and word bad JSON
 * their own way.
 */
export function apiRoutes(routes: readonly ApiRoute[], ...use: MiddlewareHandler<AppEnv>[]): ApiRoutes {
  const group = new OpenAPIHono<AppEnv>();
  for (const middleware of use) group.use(middleware);
  for (const { route, handler } of routes) {
    const { middleware = [], hide: _, ...definition } = route;
    group.openAPIRegistry.registerPath(definition);
    const path = route.path.replaceAll(/\{(\w+)\}/g, ":$1");
    group.on([route.method.toUpperCase()], [path], ...([middleware].flat() as MiddlewareHandler<AppEnv>[]), ...requestChecks(route), handler);
  }
  return group as ApiRoutes;
}

type Target = "param" | "query" | "json";

function check(target: Target, schema: z.ZodType, read: (c: Context<AppEnv>) => unknown): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.req.addValidatedData(target, validate(schema, await read(c)) as object);
    await next();
  };
}

/** The checks of a route's path parameters, query and JSON body, in that order. */
function requestChecks(route: RouteConfig): MiddlewareHandler<AppEnv>[] {
  const { params, query, body } = route.request ?? {};
  const json = (body?.content["application/json"] as { schema?: z.ZodType } | undefined)?.schema;
  return [
    ...(params ? [check("param", params as z.ZodType, (c) => c.req.param())] : []),
    ...(query ? [check("query", query as z.ZodType, (c) => c.req.query())] : []),
    ...(json ? [check("json", json, (c) => readJson(c, body?.required === true))] : []),
  ];
}

/**
 * A schema with an id (a component), or null. Not `.nullable()`: the generator writes that as
 * allOf [$ref, {type: [object, null]}], which null fails (the $ref'd object does not take it).
 */
export const orNull = <S extends z.ZodType>(schema: S) => z.union([schema, z.null()]);

/** A JSON answer of `schema`. */
export const jsonAnswer = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const ERROR_MEANINGS = {
  400: "Bad JSON, fields or query: `field` names the first offending one",
  401: "No API key or admin token, or one that is not valid (or revoked)",
  402: "The key's budget cannot take the call (`retry-after`)",
  403: "This caller may not: an admin-only path, another key's data, or a model call with the admin token",
  404: "No such object for this caller",
  409: "Not now: see the message (`retry-after` when waiting helps)",
  413: "The body is over this path's limit",
  422: "The model's answer failed its check, or it refused; its tokens are billed",
  429: "Over the key's requests per minute (`retry-after`)",
  500: "A fault of nanometer's; the message reveals nothing",
  502: "The upstream failed or answered what nanometer cannot read",
  503: "No upstream key configured",
  504: "The upstream did not answer in time",
} as const;

type ErrorStatus = keyof typeof ERROR_MEANINGS;

/** The error answers an operation may give, each the SPEC's error shape; 401, 429 and 500 may come from any /v1 path. */
export function errorAnswers<const C extends readonly ErrorStatus[]>(...statuses: C) {
  return Object.fromEntries(statuses.map((s) => [s, jsonAnswer(errorSchema, ERROR_MEANINGS[s])])) as {
    [S in C[number]]: ReturnType<typeof jsonAnswer<typeof errorSchema>>;
  };
}

type Security = Record<string, string[]>[];

/** Who may call: an API key, the admin token, or either (the spend paths: a key reads its own). */
export const API_KEY: Security = [{ apiKey: [] }];
export const ADMIN: Security = [{ adminToken: [] }];
export const KEY_OR_ADMIN: Security = [{ apiKey: [] }, { adminToken: [] }];
