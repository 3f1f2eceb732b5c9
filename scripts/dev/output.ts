/**
 * `wrangler dev`'s output while nanometer runs: the Worker's own lines (the request log,
 * workers/http/request-log.ts, and whatever else it logs) pass, a reload of the Worker becomes
 * one note, and wrangler's chatter (its own request lines, status lines, the bindings table it
 * prints again when other dev sessions come and go) is dropped.
 */
import { stripVTControlCharacters } from "node:util";

const BINDINGS_TITLE = "Your Worker has access to the following bindings:";
export const RELOAD_NOTE = "wrangler: a source file or wrangler.toml changed, the Worker reloads (a call in flight answers 503)";

/** A filter over the lines of one wrangler process, in order: a line to show, or null. */
export function wranglerLines(): (line: string) => string | null {
  let inBindings = false;
  return (raw) => {
    const line = stripVTControlCharacters(raw);
    if (inBindings) {
      inBindings = line.trim() !== "";
      return null;
    }
    if (line.startsWith(BINDINGS_TITLE)) {
      inBindings = true;
      return null;
    }
    if (line.startsWith("⎔ Reloading")) return RELOAD_NOTE;
    if (line.startsWith("[wrangler:info]") || line.startsWith("⎔")) return null;
    return line;
  };
}
