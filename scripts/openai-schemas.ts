/**
 * Vendors parts of OpenAI's published OpenAPI description (github.com/openai/openai-openapi,
 * openapi.json) as a test fixture: the named component schemas and every schema they reference,
 * so tests can validate wire shapes against OpenAI's own definitions without the network.
 *
 *   npx tsx scripts/openai-schemas.ts <path to openapi.json> <commit> Name [Name...]
 *
 * Writes test/fixtures/openai/schemas.json. Re-run it with the names of the schemas the tests
 * need (the `roots` of the current fixture, plus new ones) to add or refresh schemas.
 * `--out <file>` writes another fixture instead; `--file <name>` records which file of the
 * repository the description came from (default openapi.json).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values: flags, positionals } = parseArgs({ options: { out: { type: "string" }, file: { type: "string", default: "openapi.json" } }, allowPositionals: true });
const [source, commit, ...names] = positionals;
const roots = [...new Set(names)];
if (!source || !commit || roots.length === 0) {
  console.error("usage: tsx scripts/openai-schemas.ts [--out fixture.json] [--file openapi.yaml] <openapi.json> <commit> SchemaName [SchemaName...]");
  process.exit(2);
}
const document = JSON.parse(readFileSync(source, "utf8")) as { components: { schemas: Record<string, unknown> } };
const all = document.components.schemas;
const REF = "#/components/schemas/";

const picked: Record<string, unknown> = {};
const visit = (name: string) => {
  if (name in picked) return;
  if (!(name in all)) throw new Error(`no schema ${name} in ${source}`);
  picked[name] = all[name];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref" && typeof value === "string" && value.startsWith(REF)) visit(decodeURIComponent(value.slice(REF.length)));
        else walk(value);
      }
    }
  };
  walk(all[name]);
};
roots.sort().forEach(visit);

const fixture = {
  source: { repository: "https://github.com/openai/openai-openapi", file: flags.file, commit },
  roots: roots.sort(),
  components: { schemas: Object.fromEntries(Object.keys(picked).sort().map((name) => [name, picked[name]])) },
};
writeFileSync(flags.out ?? new URL("../test/fixtures/openai/schemas.json", import.meta.url), `${JSON.stringify(fixture, null, 1)}\n`);
console.log(`${roots.length} roots, ${Object.keys(picked).length} schemas written`);
