import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { base } from "../support/gateway-calls";
import { nanometer } from "./run";

const COMMANDS = ["spend", "requests", "cache", "keys"];

/** One line on stderr, nothing on stdout, and the exit code the help documents. */
async function expectFailure(args: string[], env: Record<string, string>, code: number, message: RegExp | string) {
  const run = await nanometer(args, env);
  expect([run.code, run.out]).toEqual([code, ""]);
  expect(run.err.split("\n")).toHaveLength(2);
  if (typeof message === "string") expect(run.err).toBe(`nanometer: ${message}\n`);
  else expect(run.err).toMatch(message);
}

/** A port nothing listens on: one the system gave out, closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

let proxy: Server | undefined;
afterEach(() => new Promise<void>((done) => (proxy ? proxy.close(() => done()) : done())));

/** What answers when NANOMETER_URL points at something other than nanometer: a failing proxy, a web page. */
async function otherServer(status: number, contentType: string, body: string): Promise<string> {
  proxy = createServer((_, res) => res.writeHead(status, { "content-type": contentType }).end(body));
  await new Promise<void>((done) => proxy!.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

describe("nanometer's help", () => {
  it("--help lists the commands, the environment and the exit codes", async () => {
    const run = await nanometer(["--help"]);
    expect(run.code).toBe(0);
    for (const text of [...COMMANDS.map((c) => `\n  ${c} `), "NANOMETER_URL", "NANOMETER_KEY", "Exit codes:"]) expect(run.out).toContain(text);
  });

  it.each(COMMANDS)("%s --help shows its usage and options", async (command) => {
    const run = await nanometer([command, "--help"]);
    expect(run.code).toBe(0);
    expect(run.out.startsWith(`Usage: nanometer ${command}`)).toBe(true);
    for (const option of ["--columns", "--json", "--csv", "--help"]) expect(run.out).toContain(` ${option} `);
  });

  it("runs as `npx nanometer` from the repository", async () => {
    const { stdout } = await promisify(execFile)("npx", ["--no-install", "nanometer", "--help"], { cwd: process.cwd() });
    expect(stdout).toBe((await nanometer(["--help"])).out);
  });
});

describe("nanometer's failures", () => {
  const key = { NANOMETER_KEY: "nm_whatever" };

  it("a command or option it does not know is a usage error (2)", async () => {
    await expectFailure(["spent"], {}, 2, 'unknown command "spent"; the commands are spend, requests, cache, keys (see --help)');
    await expectFailure(["spend", "--group", "day"], {}, 2, "unknown option --group (see --help)");
  });

  it("no NANOMETER_URL or no NANOMETER_KEY (3)", async () => {
    await expectFailure(["spend"], key, 3, /^nanometer: NANOMETER_URL is not set: export NANOMETER_URL=/);
    await expectFailure(["spend"], { NANOMETER_URL: base }, 3, /^nanometer: NANOMETER_KEY is not set: /);
  });

  it("a NANOMETER_URL that is not an http(s) URL (4)", async () => {
    await expectFailure(["spend"], { ...key, NANOMETER_URL: "127.0.0.1 8787" }, 4, 'NANOMETER_URL is not a URL: "127.0.0.1 8787"');
    await expectFailure(["spend"], { ...key, NANOMETER_URL: "ftp://127.0.0.1" }, 4, 'NANOMETER_URL must be http:// or https://, not "ftp://127.0.0.1"');
  });

  it("the server is down: connection refused (5)", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    await expectFailure(["spend"], { ...key, NANOMETER_URL: url }, 5, `cannot reach nanometer at ${url} (connection refused): is it running, and is NANOMETER_URL right?`);
  });

  it("a wrong key is the server's 401 (6)", async () => {
    await expectFailure(["requests"], { NANOMETER_URL: base, NANOMETER_KEY: "nm_wrong" }, 6, "401 unauthorized: the API key is not valid or was revoked (check NANOMETER_KEY)");
  });

  it("a 5xx, or an answer that is not nanometer's, from whatever answers at NANOMETER_URL (9)", async () => {
    const failing = await otherServer(502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>\n");
    await expectFailure(["spend"], { ...key, NANOMETER_URL: failing }, 9, "502 from a server that is not nanometer: <html><body><h1>502 Bad Gateway</h1></body></html>");
    await new Promise((done) => proxy!.close(done));
    const page = await otherServer(200, "text/html", "<!doctype html><title>Welcome</title>");
    await expectFailure(["cache"], { ...key, NANOMETER_URL: page }, 9, /^nanometer: the answer is not nanometer's JSON \(content-type text\/html\): is NANOMETER_URL right\?\n$/);
  });
});
