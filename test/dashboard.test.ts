import { describe, expect, it } from "vitest";
import { call, json } from "./support/worker";

const page = () => call("/dashboard", { token: null });

/** What the page loads: its scripts, styles and icon, by the paths in its own HTML. */
async function referencedFiles(): Promise<string[]> {
  const html = await (await page()).text();
  return [...html.matchAll(/(?:src|href)="(\/dashboard\/[^"]+)"/g)].map((m) => m[1]!);
}

describe("GET /dashboard (served by the Worker itself)", () => {
  it("serves the page with a CSP that lets it load only its own files and talk only to this Worker", async () => {
    const res = await page();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("content-security-policy")).toContain("connect-src 'self'");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toContain("<title>nanometer · spend</title>");
  });

  it("serves every file the page loads, with its content type, and no key is needed", async () => {
    const files = await referencedFiles();
    expect(files).toEqual(expect.arrayContaining(["/dashboard/app.js", "/dashboard/vendor/uPlot.iife.min.js", "/dashboard/style.css"]));
    const types = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8", svg: "image/svg+xml" };
    for (const file of files) {
      const res = await call(file, { token: null });
      expect(res.status, file).toBe(200);
      expect(res.headers.get("content-type"), file).toBe(types[file.split(".").pop() as keyof typeof types]);
      expect((await res.text()).length, file).toBeGreaterThan(100);
    }
  });

  it("serves the modules app.js imports", async () => {
    const app = await (await call("/dashboard/app.js", { token: null })).text();
    const imports = [...app.matchAll(/from "\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(imports.length).toBeGreaterThan(0);
    for (const module of imports) expect((await call(`/dashboard/${module}`, { token: null })).status, module).toBe(200);
  });

  it("answers a repeated load with 304 Not Modified by ETag, and revalidates every time", async () => {
    const first = await call("/dashboard/vendor/uPlot.iife.min.js", { token: null });
    const tag = first.headers.get("etag");
    expect(tag).toBeTruthy();
    expect(first.headers.get("cache-control")).toBe("no-cache");
    const again = await call("/dashboard/vendor/uPlot.iife.min.js", { token: null, headers: { "if-none-match": tag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  it("answers an unknown file with a 404 in the SPEC's error shape, and other methods with 405", async () => {
    const missing = await call("/dashboard/../wrangler.toml", { token: null });
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.type).toBe("not_found");
    const nope = await call("/dashboard/secrets.js", { token: null });
    expect(nope.status).toBe(404);
    expect((await json(nope)).error.type).toBe("not_found");
    const post = await call("/dashboard", { token: null, method: "POST", body: {} });
    expect(post.status).toBe(405);
  });
});
