import { bundledFiles, CSS, JS } from "../http/bundled-files";
import page from "./public/dashboard.html?raw";
import alerts from "./public/dashboard/alerts.js?raw";
import api from "./public/dashboard/api.js?raw";
import app from "./public/dashboard/app.js?raw";
import attribution from "./public/dashboard/attribution.js?raw";
import cards from "./public/dashboard/cards.js?raw";
import dailyChart from "./public/dashboard/daily-chart.js?raw";
import format from "./public/dashboard/format.js?raw";
import icon from "./public/dashboard/icon.svg?raw";
import requests from "./public/dashboard/requests.js?raw";
import style from "./public/dashboard/style.css?raw";
import tables from "./public/dashboard/tables.js?raw";
import uPlotCss from "./public/dashboard/vendor/uPlot.min.css?raw";
import uPlotJs from "./public/dashboard/vendor/uPlot.iife.min.js?raw";

/** The page loads only its own files and talks only to this Worker. */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
};

/** GET /dashboard: the spend dashboard. */
export const dashboardRoutes = bundledFiles(page, PAGE_HEADERS, {
  "app.js": { body: app, type: JS },
  "alerts.js": { body: alerts, type: JS },
  "api.js": { body: api, type: JS },
  "attribution.js": { body: attribution, type: JS },
  "cards.js": { body: cards, type: JS },
  "daily-chart.js": { body: dailyChart, type: JS },
  "format.js": { body: format, type: JS },
  "requests.js": { body: requests, type: JS },
  "tables.js": { body: tables, type: JS },
  "style.css": { body: style, type: CSS },
  "icon.svg": { body: icon, type: "image/svg+xml" },
  "vendor/uPlot.iife.min.js": { body: uPlotJs, type: JS },
  "vendor/uPlot.min.css": { body: uPlotCss, type: CSS },
});
