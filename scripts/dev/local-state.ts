/**
 * What `npm start` keeps between runs, beside the local D1 (so wiping the state directory wipes
 * it too): the admin token it generated, and the API key it created. Readable by its owner only.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface LocalKey {
  id: string;
  secret: string;
}

export interface LocalState {
  adminToken?: string;
  key?: LocalKey;
}

export const stateFileIn = (persistTo: string) => join(persistTo, "nanometer-dev.json");

export function readLocalState(file: string): LocalState {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LocalState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new Error(`cannot read ${file} (${(error as Error).message}); delete it to start afresh`);
  }
}

export function writeLocalState(file: string, state: LocalState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  // `mode` applies only to a file created now.
  chmodSync(file, 0o600);
}

/** ADMIN_TOKEN when given; else the token generated on the first run, kept in the state. */
export function adminTokenOf(state: LocalState, given = process.env.ADMIN_TOKEN): { token: string; state: LocalState } {
  if (given) return { token: given, state };
  const token = state.adminToken ?? `admin_${randomBytes(16).toString("hex")}`;
  return { token, state: { ...state, adminToken: token } };
}
