/** Debian's chromium through playwright-core, and what a page must not do. */
import { chromium, type Page } from "playwright-core";

const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

export const launchChromium = () => chromium.launch({ executablePath: "/usr/bin/chromium", args: FLAGS, timeout: 60_000 });

/** What the page did wrong: console errors, page errors, a request off this machine, a secret in a URL. */
export function watch(page: Page, secret?: string): string[] {
  const problems: string[] = [];
  page.on("console", (msg) => msg.type() === "error" && problems.push(`console: ${msg.text()}`));
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("request", (req) => {
    const url = new URL(req.url().replace(/^blob:/, ""));
    if (!["127.0.0.1", "localhost"].includes(url.hostname)) problems.push(`left the machine: ${req.url()}`);
    if (secret && req.url().includes(secret)) problems.push(`token in a URL: ${req.url()}`);
  });
  return problems;
}
