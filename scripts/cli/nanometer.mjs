#!/usr/bin/env node
// The `nanometer` bin. Node 20 cannot run TypeScript, so tsx (a dependency) loads main.ts and
// what it imports; nothing is built ahead of time, so `npm ci` is the only install step.
import { tsImport } from "tsx/esm/api";

await tsImport("./main.ts", import.meta.url);
