// The daily chart: what nano cost each UTC day against what mini would have cost (uPlot).
import { usd } from "./format.js";

// uPlot's minified build, loaded by dashboard.html as a classic script before this module.
const { uPlot } = globalThis;

const DAY_MS = 86_400_000;
const HEIGHT = 280;
let plot = null;
const observer = new ResizeObserver(([entry]) => plot?.setSize({ width: entry.contentRect.width, height: HEIGHT }));

/** Every day of from..to, a day without calls at 0, from `group_by=day` rows. */
function dailySeries(from, to, rows) {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const xs = [], nano = [], mini = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += DAY_MS) {
    const row = byDay.get(new Date(t).toISOString().slice(0, 10));
    xs.push(t / 1000);
    nano.push(row ? row.cost_usd : 0);
    mini.push(row ? row.mini_cost_usd : 0);
  }
  return [xs, nano, mini];
}

const money = (_u, v) => (v == null ? "—" : usd(v));

function options(width) {
  return {
    width,
    height: HEIGHT,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    cursor: { drag: { x: false, y: false } },
    scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 0.000001] } },
    axes: [
      { stroke: "#5b6670", grid: { stroke: "#eef0f2" }, ticks: { stroke: "#dde1e5" } },
      { stroke: "#5b6670", size: 80, grid: { stroke: "#eef0f2" }, ticks: { stroke: "#dde1e5" }, values: (_u, ticks) => ticks.map((v) => usd(v)) },
    ],
    series: [
      { label: "Day (UTC)", value: (_u, ts) => (ts == null ? "—" : new Date(ts * 1000).toISOString().slice(0, 10)) },
      { label: "nano, spent", stroke: "#1f6f5c", fill: "rgba(31, 111, 92, 0.12)", width: 2, value: money, points: { size: 4, fill: "#1f6f5c" } },
      { label: "mini, projected", stroke: "#c2703d", dash: [6, 4], width: 2, value: money, points: { size: 4 } },
    ],
  };
}

/**
 * Draws (or redraws) the chart into `el`, sized to it and following its width; a click on the
 * plot calls `onPick` with the day (YYYY-MM-DD) under the cursor.
 */
export function drawDaily(el, from, to, rows, onPick) {
  const data = dailySeries(from, to, rows);
  if (plot) plot.destroy();
  plot = new uPlot(options(el.clientWidth), data, el);
  const drawn = plot;
  drawn.over.addEventListener("click", () => {
    const at = drawn.cursor.idx;
    if (at !== null && at !== undefined) onPick(new Date(data[0][at] * 1000).toISOString().slice(0, 10));
  });
  observer.observe(el);
}
