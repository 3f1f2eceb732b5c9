import { badRequest } from "../errors";

/**
 * OpenAI's hosted tools (web search, file search, code interpreter, image generation, computer
 * use, MCP, ...) are billed per call, per container or per image, outside the answer's `usage`:
 * nanometer can neither meter nor reserve them, so a request that asks for one is refused until
 * they have prices. The tools the caller runs itself (`function`, `custom`) cost only tokens.
 */

const METERED_TOOL_TYPES: ReadonlySet<unknown> = new Set(["function", "custom"]);

export interface HostedTool {
  field: string;
  message: string;
}

const HOSTED = "a hosted tool OpenAI bills outside the usage nanometer meters: refused until it has a price (tools of type function and custom are metered)";

/** The first hosted tool a Chat Completions or Responses request asks for; null when there is none. */
export function hostedTool(body: Record<string, unknown>): HostedTool | null {
  if (body.web_search_options != null) return { field: "web_search_options", message: `web_search_options asks for web search, ${HOSTED}` };
  const tools: unknown[] = Array.isArray(body.tools) ? body.tools : [];
  const types = tools.map((tool) => (tool as { type?: unknown } | null)?.type);
  const index = types.findIndex((type) => !METERED_TOOL_TYPES.has(type));
  if (index < 0) return null;
  const [field, type] = [`tools[${index}].type`, types[index]];
  if (typeof type !== "string") return { field, message: `${field} is missing: nanometer meters tools of type function and custom` };
  return { field, message: `${field} is ${type}, ${HOSTED}` };
}

/** 400 naming the first hosted tool the request asks for. */
export function refuseHostedTools(body: Record<string, unknown>): void {
  const hosted = hostedTool(body);
  if (hosted) throw badRequest(hosted.message, hosted.field);
}
