/**
 * The stored ids a model request can name, wherever they sit in it: what the owner guard
 * (owned.ts `ownedReferences`) checks before the request goes anywhere, online or in a batch.
 */

/** What a request can name: a previous response, an item of a stored response, a file, a conversation. */
export type ReferenceKind = "response" | "item" | "file" | "conversation";

export interface StoredReference {
  kind: ReferenceKind;
  id: string;
  /** Where the request names it, as an error's `field` says it (`input.2.id`). */
  field: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === "string" && v !== "";

/** Parts that carry a file id: Responses' `input_file` and `input_image` (`file_id`), Chat's `file` (`file.file_id`). */
function fileOfPart(part: Json, at: string): StoredReference | null {
  if ((part.type === "input_file" || part.type === "input_image") && isId(part.file_id)) return { kind: "file", id: part.file_id, field: `${at}.file_id` };
  if (part.type === "file" && isObject(part.file) && isId(part.file.file_id)) return { kind: "file", id: part.file.file_id, field: `${at}.file.file_id` };
  return null;
}

/**
 * A Responses input item that stands for a stored one: `type: "item_reference"`, or, as OpenAI
 * reads it, an item with an id and neither a type nor a role.
 */
const isItemReference = (item: Json) => item.type === "item_reference" || (item.type == null && item.role === undefined && item.id !== undefined);

/** Every stored id the request names, in the order it names them (one per mention: each pulls its object in once). */
export function storedReferences(request: Json): StoredReference[] {
  const found: StoredReference[] = [];
  if (isId(request.previous_response_id)) found.push({ kind: "response", id: request.previous_response_id, field: "previous_response_id" });
  const { conversation } = request;
  if (isId(conversation)) found.push({ kind: "conversation", id: conversation, field: "conversation" });
  if (isObject(conversation) && isId(conversation.id)) found.push({ kind: "conversation", id: conversation.id, field: "conversation.id" });
  if (Array.isArray(request.input)) {
    request.input.forEach((item, i) => {
      if (isObject(item) && isItemReference(item) && isId(item.id)) found.push({ kind: "item", id: item.id, field: `input.${i}.id` });
    });
  }
  const visit = (node: unknown, at: string): void => {
    if (Array.isArray(node)) node.forEach((child, i) => visit(child, `${at}.${i}`));
    else if (isObject(node)) {
      const file = fileOfPart(node, at);
      if (file) found.push(file);
      for (const [name, child] of Object.entries(node)) visit(child, `${at}.${name}`);
    }
  };
  for (const name of ["input", "messages"]) visit(request[name], name);
  return found;
}
