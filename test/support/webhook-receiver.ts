/**
 * Global setup of the workers project: a real HTTP webhook receiver on a free port, for the alert
 * tests (a Worker under test cannot listen itself). It verifies each delivery's signature as a
 * receiver would (node:crypto, with the shared secret), keeps what it got per box (the path's
 * last part, one per test), and answers as the test asked over HTTP:
 *   POST /hooks/<box>                  a delivery: 200, or 500 while the box has failures left, after delay_ms
 *   PUT  /boxes/<box> {fail, delay_ms} how the box answers from now on
 *   GET  /boxes/<box>                  {deliveries: [{body, signature, verified, received_at, answered}]}
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { verified } from "./webhook-signature";

interface Box {
  fail: number;
  delayMs: number;
  deliveries: { body: string; signature: string | null; verified: boolean; received_at: number; answered: number }[];
}

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export default async function setup(project: TestProject) {
  const secret = randomBytes(24).toString("hex");
  const boxes = new Map<string, Box>();
  const box = (name: string) => boxes.get(name) ?? boxes.set(name, { fail: 0, delayMs: 0, deliveries: [] }).get(name)!;

  const server = createServer(async (req, res) => {
    const [, kind, name] = (req.url ?? "").split("/");
    const body = await read(req);
    if (!name) return res.writeHead(404).end();
    const target = box(name);
    if (kind === "hooks" && req.method === "POST") {
      await new Promise((r) => setTimeout(r, target.delayMs));
      const answered = target.fail > 0 ? 500 : 200;
      if (answered === 500) target.fail--;
      const signature = req.headers["x-nanometer-signature"];
      const header = typeof signature === "string" ? signature : undefined;
      target.deliveries.push({ body: body.toString("utf8"), signature: header ?? null, verified: verified(body, header, secret), received_at: Date.now(), answered });
      return res.writeHead(answered, { "content-type": "text/plain" }).end(answered === 200 ? "ok" : "receiver down");
    }
    if (kind === "boxes" && req.method === "PUT") {
      const { fail = 0, delay_ms = 0 } = JSON.parse(body.toString("utf8") || "{}") as { fail?: number; delay_ms?: number };
      Object.assign(target, { fail, delayMs: delay_ms });
      return res.writeHead(204).end();
    }
    if (kind === "boxes" && req.method === "GET") {
      return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ deliveries: target.deliveries }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  project.provide("webhookUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  project.provide("webhookSecret", secret);
  return () => new Promise<void>((done) => server.close(() => done()));
}

declare module "vitest" {
  export interface ProvidedContext {
    webhookUrl: string;
    webhookSecret: string;
  }
}
