import { intent } from "../../workers/tasks/intent";
import { taskBound, taskParams } from "../../workers/tasks/params";
import { picoPerToken, SPEC_PRICES } from "./spec-prices";

/** The largest a task call can cost on `model`: its prompt's bound at the SPEC's input price, its cap at output. */
export function reservationOf(params: Parameters<typeof taskBound>[0], model: string): bigint {
  const bound = taskBound(params, model);
  const [input, , output] = SPEC_PRICES[model]!.default!.map(picoPerToken) as [bigint, bigint, bigint];
  return BigInt(bound.inputTokens) * input + BigInt(bound.outputTokens) * output;
}

/** What an intent call of `text` by `keyId` reserves. */
export const intentReservation = (keyId: string, text: string) => reservationOf(taskParams(intent, { text }, keyId), "gpt-5.4-nano");
