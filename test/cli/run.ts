/** The `nanometer` bin run as a user runs it, and readers for what it prints. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect } from "vitest";
import { adminToken, base } from "../support/gateway-calls";

const bin = (JSON.parse(readFileSync("package.json", "utf8")) as { bin: Record<string, string> }).bin.nanometer!;
export const BIN = resolve(bin);

export interface Run {
  code: number;
  stdout: Buffer;
  out: string;
  err: string;
}

/** Runs the bin (through its shebang, as a shell would) with only PATH, HOME and the given variables. */
export function nanometer(args: string[], env: Record<string, string> = {}, file = BIN, fileArgs: string[] = []): Promise<Run> {
  return new Promise((done, fail) => {
    execFile(
      file,
      [...fileArgs, ...args],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: "buffer", timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        if (typeof code !== "number") return fail(error);
        done({ code, stdout, out: stdout.toString(), err: stderr.toString() });
      },
    );
  });
}

export const as = (key: string) => ({ NANOMETER_URL: base, NANOMETER_KEY: key });
export const asAdmin = () => as(adminToken);

/** GET an API path as the command would, for the figures to compare with. */
export async function api<T = unknown>(path: string, key: string): Promise<{ bytes: Buffer; json: T }> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { bytes, json: (res.headers.get("content-type")?.includes("json") ? JSON.parse(bytes.toString()) : undefined) as T };
}

/** An API row with its nested objects spread into dotted columns, as the command shows them. */
export function flat(row: object, prefix = ""): Record<string, unknown> {
  return Object.assign(
    {},
    ...Object.entries(row).map(([name, value]) =>
      value !== null && typeof value === "object" && !Array.isArray(value) ? flat(value, `${prefix}${name}.`) : { [`${prefix}${name}`]: value },
    ),
  );
}

export interface Table {
  header: string[];
  rows: string[][];
  totals?: string[];
}

const RULE = /^-+( +-+)*$/;

/**
 * The table whose header starts with `first`. Columns are found from the rule above the totals
 * (runs of dashes), so empty total cells keep their place; a table without totals splits on
 * runs of two or more spaces.
 */
export function tableIn(text: string, first: string): Table {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`${first} `) || l === first);
  if (start < 0) throw new Error(`no table starting with "${first}" in:\n${text}`);
  const end = lines.findIndex((l, i) => i > start && l === "");
  const block = lines.slice(start, end < 0 ? undefined : end);
  const rule = block.findIndex((l) => RULE.test(l));
  const split = (line: string) => line.trim().split(/ {2,}/);
  if (rule < 0) return { header: split(block[0]!), rows: block.slice(1).map(split) };
  const spans = [...block[rule]!.matchAll(/-+/g)].map((m) => [m.index!, m.index! + m[0].length] as const);
  const cut = (line: string) => spans.map(([from, to]) => line.slice(from, to).trim());
  return { header: cut(block[0]!), rows: block.slice(1, rule).map(cut), totals: cut(block[rule + 1]!) };
}

/**
 * A cell shows the API's value: strings and whole numbers exactly, null as "-", other numbers
 * rounded (within half the last digit shown), and money to at least 3 significant digits.
 */
export function expectCell(cell: string | undefined, value: unknown, column: string) {
  if (value === null) return expect(cell, column).toBe("-");
  if (typeof value !== "number") return expect(cell, column).toBe(String(value));
  if (Number.isInteger(value)) return expect(Number(cell), column).toBe(value);
  const decimals = cell?.split(".")[1]?.length ?? 0;
  expect(Math.abs(Number(cell) - value), `${column}: ${cell} for ${value}`).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-15);
  if (column.endsWith("_usd") && value !== 0) expect(Math.abs(Number(cell) / value - 1), `${column}: ${cell} for ${value}`).toBeLessThan(0.005);
}

/** Every cell of a table row shows the API object's field of its column. */
export function expectRow(cells: string[] | undefined, object: object, columns: string[]) {
  columns.forEach((column, i) => expectCell(cells?.[i], (object as Record<string, unknown>)[column], column));
}
