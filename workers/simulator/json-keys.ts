/**
 * The keys a `json_object` prompt asks for, read from its words: a flat brace template
 * (`{"intent": "...", "confidence": 0.9}`, `{intent: string, confidence}` or `{intent, confidence}`)
 * or a list after "keys:" (also "fields:", "properties:"). Each answered key gets a schema: a
 * number from 0 to 1 for confidence-like names, a string otherwise.
 */
import { messageText } from './tokens';
import type { JsonSchema, Message } from './types';

const IDENTIFIER = /^[A-Za-z_][\w-]*$/;
const SCORE_NAMES = /confidence|probability|likelihood|certainty|score/i;
const BRACE_GROUP = /\{([^{}]*)\}/g;
const QUOTED_KEY = /"([^"\\]+)"\s*:/g;
const KEY_LIST = /\b(?:keys|fields|properties)\s*:\s*([^\n]+)/gi;

/** `"a": 1, "b": "x, y"` (quoted keys), or `a, b: string` (bare ones, every entry a key). */
function templateKeys(inside: string): string[] {
  const quoted = [...inside.matchAll(QUOTED_KEY)].map((match) => match[1]!);
  if (quoted.length > 0) return quoted;
  const entries = inside.split(',').map((entry) => entry.split(':')[0]!.trim());
  return entries.every((entry) => IDENTIFIER.test(entry)) ? entries : [];
}

/** `a, b and c.` with optional quotes or backticks; the list ends with its sentence, or at the first item that is not a name. */
function listedKeys(list: string): string[] {
  const keys: string[] = [];
  const sentence = list.split(/[.;](?:\s|$)/)[0]!;
  for (const item of sentence.split(/,|\band\b/)) {
    const name = item.trim().replace(/^["'`]|["'`]$/g, '');
    if (!IDENTIFIER.test(name)) break;
    keys.push(name);
  }
  return keys;
}

function keysIn(text: string): string[] {
  for (const [, inside] of text.matchAll(BRACE_GROUP)) {
    const keys = templateKeys(inside!);
    if (keys.length > 0) return keys;
  }
  for (const [, list] of text.matchAll(KEY_LIST)) {
    const keys = listedKeys(list!);
    if (keys.length > 0) return keys;
  }
  return [];
}

/** The object schema of the keys named by the first message that names any, or null. */
export function requestedObjectSchema(messages: readonly Message[]): JsonSchema | null {
  for (const message of messages) {
    const keys = [...new Set(keysIn(messageText(message)))];
    if (keys.length === 0) continue;
    const properties = Object.fromEntries(
      keys.map((key): [string, JsonSchema] => [key, SCORE_NAMES.test(key) ? { type: 'number', minimum: 0, maximum: 1 } : { type: 'string' }]),
    );
    return { type: 'object', properties, required: keys, additionalProperties: false };
  }
  return null;
}
