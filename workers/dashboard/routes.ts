import { Hono } from "hono";
import { etag } from "hono/etag";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import page from "./public/dashboard.html?raw";
import alerts from "./public/dashboard/alerts.js?raw";
import api from "./public/dashboard/api.js?raw";
import app from "./public/dashboard/app.js?raw";
import attribution from "./public/dashboard/attribution.js?raw";
import dailyChart from "./public/dashboard/daily-chart.js?raw";
import format from "./public/dashboard/format.js?raw";
import icon from "./public/dashboard/icon.svg?raw";
import requests from "./public/dashboard/requests.js?raw";
import style from "./public/dashboard/style.css?raw";
import tables from "./public/dashboard/tables.js?raw";
import uPlotCss from "./public/dashboard/vendor/uPlot.min.css?raw";
import uPlotJs from "./public/dashboard/vendor/uPlot.iife.min.js?raw";

/**
 * GET /dashboard: the spend dashboard, its files bundled into the Worker as text. Not Workers
 * static assets: an [assets] block puts the assets router in front of every request, the API's
 * too, and that hop cost each API call more than the rest of the gateway (BENCHMARKS.md).
 */
const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";
const files = new Map<string, { body: string; type: string }>([
  ["app.js", { body: app, type: JS }],
  ["alerts.js", { body: alerts, type: JS }],
  ["api.js", { body: api, type: JS }],
  ["attribution.js", { body: attribution, type: JS }],
  ["daily-chart.js", { body: dailyChart, type: JS }],
  ["format.js", { body: format, type: JS }],
  ["requests.js", { body: requests, type: JS }],
  ["tables.js", { body: tables, type: JS }],
  ["style.css", { body: style, type: CSS }],
  ["icon.svg", { body: icon, type: "image/svg+xml" }],
  ["vendor/uPlot.iife.min.js", { body: uPlotJs, type: JS }],
  ["vendor/uPlot.min.css", { body: uPlotCss, type: CSS }],
]);

/** The page loads only its own files and talks only to this Worker. */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
};

export const dashboardRoutes = new Hono<AppEnv>()
  .use(etag())
  .use(async (c, next) => {
    await next();
    c.header("x-content-type-options", "nosniff");
    // Revalidated on each load (a 304 by ETag), so a deploy shows at once.
    c.header("cache-control", "no-cache");
  })
  .get("/", (c) => c.html(page, 200, PAGE_HEADERS))
  .get("/:file{.+}", (c) => {
    const file = files.get(c.req.param("file"));
    if (!file) throw new ApiError(404, "not_found", "no such dashboard file");
    return c.body(file.body, 200, { "content-type": file.type });
  });
