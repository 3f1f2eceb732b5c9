/**
 * A batch's input file, validated as OpenAI validates it before running anything: one JSON
 * object per line, `{custom_id, method: "POST", url, body}`, custom_ids unique, every url the
 * batch's endpoint, one model for the whole file. Problems are `BatchError`s naming the line
 * (1-based); blank lines are skipped.
 */

export type BatchLine = { custom_id: string; method: 'POST'; url: string; body: Record<string, unknown> };

export type BatchError = { code: string; message: string; param: string | null; line: number | null };

export type BatchInput = { lines: BatchLine[]; model: string | null; errors: BatchError[] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const missing = (param: string) => ({ code: 'missing_required_parameter', message: `Missing required parameter: '${param}'.`, param });

/** The first problem of one parsed line, given what earlier lines established. */
function lineProblem(value: unknown, endpoint: string, seen: Set<string>, model: string | null): Omit<BatchError, 'line'> | null {
  if (!isObject(value)) return { code: 'invalid_json_line', message: 'This line is not parseable as a JSON object.', param: null };
  if (typeof value.custom_id !== 'string' || value.custom_id === '') return missing('custom_id');
  if (seen.has(value.custom_id)) {
    return {
      code: 'duplicate_custom_id',
      message: 'The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.',
      param: 'custom_id',
    };
  }
  if (value.method !== 'POST') return { code: 'invalid_method', message: 'The method for this request must be POST.', param: 'method' };
  if (value.url !== endpoint) {
    return { code: 'invalid_url', message: `The URL provided for this request does not match the batch endpoint (${endpoint}).`, param: 'url' };
  }
  if (!isObject(value.body)) return missing('body');
  if (typeof value.body.model !== 'string') return missing('body.model');
  if (model !== null && value.body.model !== model) {
    return { code: 'mismatched_model', message: `All requests in a batch must use the same model; this line uses '${value.body.model}', an earlier one '${model}'.`, param: 'body.model' };
  }
  return null;
}

export function parseBatchInput(text: string, endpoint: string): BatchInput {
  const lines: BatchLine[] = [];
  const errors: BatchError[] = [];
  const seen = new Set<string>();
  let model: string | null = null;
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    const value = parseLine(raw);
    const problem = lineProblem(value, endpoint, seen, model);
    if (problem) {
      errors.push({ ...problem, line: index + 1 });
      return;
    }
    const line = value as BatchLine;
    seen.add(line.custom_id);
    model ??= line.body.model as string;
    lines.push(line);
  });
  if (lines.length === 0 && errors.length === 0) {
    errors.push({ code: 'empty_file', message: 'The batch input file has no requests.', param: null, line: null });
  }
  return { lines, model, errors };
}
