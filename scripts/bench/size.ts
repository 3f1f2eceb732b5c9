/** The gateway's bundle as `wrangler deploy --dry-run` builds it: raw and gzip bytes. */
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT, run } from "./procs";

export async function bundleSize() {
  const outdir = resolve(ROOT, ".wrangler/bench/dry-run");
  rmSync(outdir, { recursive: true, force: true });
  const output = await run("wrangler", ["deploy", "--dry-run", "--outdir", outdir], { CI: "true" });
  const files = readdirSync(outdir, { recursive: true, withFileTypes: false })
    .map(String)
    // Every uploaded module: the script and what it imports (the dashboard's files, as Text modules).
    .filter((f) => !/\.(map|md)$/.test(f) && statSync(join(outdir, f)).isFile())
    .map((f) => {
      const bytes = readFileSync(join(outdir, f));
      // Attached modules are named `<sha1>-<file>`: the hash says nothing to a reader.
      return { file: f.replace(/^[0-9a-f]{40}-/, ""), raw_bytes: bytes.length, gzip_bytes: gzipSync(bytes, { level: 9 }).length };
    });
  // wrangler's own summary line: "Total Upload: 1234.56 KiB / gzip: 234.56 KiB"
  const m = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(output);
  return {
    command: "wrangler deploy --dry-run --outdir .wrangler/bench/dry-run",
    files,
    raw_bytes: files.reduce((n, f) => n + f.raw_bytes, 0),
    gzip_bytes: files.reduce((n, f) => n + f.gzip_bytes, 0),
    wrangler_total_upload_kib: m ? Number(m[1]) : null,
    wrangler_gzip_kib: m ? Number(m[2]) : null,
  };
}
