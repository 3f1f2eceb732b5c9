/**
 * `wrangler dev` without its devtools: the same local dev server (wrangler's unstable_startWorker,
 * which `wrangler dev` itself runs on), with the inspector and file watching off. With the
 * inspector on, wrangler enables the DevTools Network domain, and every subrequest (each upstream
 * fetch, each D1 query) is reported to wrangler's Node process: milliseconds of CPU per request
 * that no deployed Worker pays. `npm run bench -- --inspector off` serves the Workers this way.
 *
 *   tsx scripts/bench/serve.ts --script X.js --config wrangler.toml --port N --persist-to DIR [--var K:V]...
 */
import { parseArgs } from "node:util";
import { unstable_startWorker } from "wrangler";

const { values } = parseArgs({
  options: {
    script: { type: "string" },
    config: { type: "string" },
    port: { type: "string" },
    "persist-to": { type: "string" },
    var: { type: "string", multiple: true, default: [] },
  },
});

const bindings = Object.fromEntries(
  values.var.map((kv) => {
    const i = kv.indexOf(":");
    return [kv.slice(0, i), { type: "plain_text" as const, value: kv.slice(i + 1) }];
  }),
);

const worker = await unstable_startWorker({
  config: values.config,
  entrypoint: values.script,
  build: { bundle: false },
  bindings,
  dev: {
    inspector: false,
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
