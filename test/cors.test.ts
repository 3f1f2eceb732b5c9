import { describe, expect, it } from "vitest";
import { corsOrigins } from "../workers/http/cors";
import { call, createKey } from "./support/worker";

const APP = "https://app.example.com";
const CONFIGURED = { CORS_ORIGINS: ` ${APP}/ , https://admin.example.com` };

const corsHeaders = (res: Response) => [...res.headers.keys()].filter((h) => h.startsWith("access-control-"));

describe("CORS", () => {
  it("is off by default: no CORS header on answers or preflights, whatever the origin", async () => {
    const { key } = await createKey();
    for (const vars of [{}, { CORS_ORIGINS: "" }, { CORS_ORIGINS: " , " }]) {
      const res = await call("/v1/spend/requests", { token: key, headers: { origin: APP }, env: vars });
      expect(res.status).toBe(200);
      expect(corsHeaders(res)).toEqual([]);
      const preflight = await call("/v1/intent", {
        method: "OPTIONS",
        token: null,
        headers: { origin: APP, "access-control-request-method": "POST" },
        env: vars,
      });
      expect(corsHeaders(preflight)).toEqual([]);
    }
  });

  it("answers a configured origin's preflight without a key, allowing Authorization", async () => {
    const res = await call("/v1/intent", {
      method: "OPTIONS",
      token: null,
      headers: { origin: APP, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
      env: CONFIGURED,
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("marks answers and errors for a configured origin readable, exposing retry-after and x-request-id", async () => {
    const { key } = await createKey();
    const ok = await call("/v1/spend/requests", { token: key, headers: { origin: "https://admin.example.com" }, env: CONFIGURED });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://admin.example.com");
    expect(ok.headers.get("access-control-expose-headers")).toContain("retry-after");
    expect(ok.headers.get("vary")).toContain("Origin");
    const denied = await call("/v1/spend/requests", { token: null, headers: { origin: APP }, env: CONFIGURED });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe(APP);
  });

  it("does not allow an origin that is not listed", async () => {
    const { key } = await createKey();
    const res = await call("/v1/spend/requests", { token: key, headers: { origin: "https://evil.example" }, env: CONFIGURED });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows any origin with *", async () => {
    const res = await call("/healthz", { token: null, headers: { origin: "https://anywhere.example" }, env: { CORS_ORIGINS: "*" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("parses the list: trimmed, trailing slashes dropped, empties ignored", () => {
    expect(corsOrigins(undefined)).toEqual([]);
    expect(corsOrigins(" https://a.example/ ,, https://b.example:8443 ")).toEqual(["https://a.example", "https://b.example:8443"]);
  });
});
