import { createRoute } from "@hono/zod-openapi";
import bundle from "swagger-ui-dist/swagger-ui-bundle.js?raw";
import swaggerCss from "swagger-ui-dist/swagger-ui.css?raw";
import { z } from "zod";
import { bundledFiles, CSS, JS } from "../http/bundled-files";
import { apiRoute, apiRoutes, jsonAnswer } from "./define";
import page from "./public/docs.html?raw";
import init from "./public/docs.js?raw";

const documentRoute = createRoute({
  method: "get",
  path: "/openapi.json",
  tags: ["Reference"],
  summary: "This document: every nanometer endpoint, OpenAPI 3.1",
  responses: { 200: jsonAnswer(z.record(z.string(), z.unknown()), "The OpenAPI document") },
});

/** GET /openapi.json: the document, built once from the routes' own definitions, on its first request. */
export const documentRoutes = (document: () => Record<string, unknown>) =>
  apiRoutes([apiRoute(documentRoute, (c) => c.json(document(), 200))]);

/**
 * Swagger UI's own bundle, unchanged, and its stylesheet. It renders the page with React and
 * styles elements through the CSSOM, which a CSP does not govern, and its stylesheet's icons are
 * `data:` images; so the page needs nothing beyond its own files but `img-src data:`.
 */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
};

/** GET /docs: the reference page rendering /openapi.json, offline (a page, not part of the API). */
export const docsRoutes = bundledFiles(page, PAGE_HEADERS, {
  "docs.js": { body: init, type: JS },
  "swagger-ui-bundle.js": { body: bundle, type: JS },
  "swagger-ui.css": { body: swaggerCss, type: CSS },
});
