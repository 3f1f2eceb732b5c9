/**
 * A dry-run build served as `wrangler dev` serves a Worker: wrangler's unstable_startWorker (which
 * `wrangler dev` itself runs on), file watching off. With `--inspector-port`, wrangler's DevTools
 * inspector is on as under the `wrangler dev` CLI: it enables the DevTools Network domain, and
 * every subrequest (each upstream fetch, each D1 query) is reported to wrangler's Node process,
 * milliseconds of CPU per request that no deployed Worker pays. Without it, the inspector is off.
 *
 *   tsx scripts/bench/serve.ts --script X.js --config wrangler.toml --port N --persist-to DIR [--inspector-port N] [--var K:V]...
 */
import { readdirSync } from "node:fs";
import { basename, dirname } from "node:path";
import { parseArgs } from "node:util";
import { unstable_startWorker } from "wrangler";

const { values } = parseArgs({
  options: {
    script: { type: "string" },
    config: { type: "string" },
    port: { type: "string" },
    "persist-to": { type: "string" },
    "inspector-port": { type: "string" },
    var: { type: "string", multiple: true, default: [] },
  },
});

const bindings = Object.fromEntries(
  values.var.map((kv) => {
    const i = kv.indexOf(":");
    return [kv.slice(0, i), { type: "plain_text" as const, value: kv.slice(i + 1) }];
  }),
);

// The dry run names each module it attached `<sha1>-<file>`; the only ones this app attaches are its
// Text modules (wrangler.toml's `?raw` rule), which the build's own import paths no longer show.
const script = values.script ?? "";
const textModules = readdirSync(dirname(script)).filter((f) => /^[0-9a-f]{40}-/.test(f) && f !== basename(script));

const worker = await unstable_startWorker({
  config: values.config,
  entrypoint: script,
  build: { bundle: false, moduleRules: [{ type: "Text", globs: textModules, fallthrough: true }] },
  bindings,
  dev: {
    inspector: values["inspector-port"] ? { port: Number(values["inspector-port"]) } : false,
    watch: false,
    logLevel: "warn",
    persist: values["persist-to"],
    server: { hostname: "127.0.0.1", port: Number(values.port) },
  },
});
await worker.ready;
console.log(`ready ${await worker.url}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void worker.dispose().finally(() => process.exit(0)));
}
