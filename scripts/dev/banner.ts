/** What `npm start` prints once nanometer answers: how to call it, and where its state is. */
export function banner(run: { base: string; upstream: string; adminToken: string; key: string; keptKey: boolean; stateFile: string }): string {
  const { base, key } = run;
  return `
nanometer is running on ${base} (upstream: the simulator at ${run.upstream})

  admin token  ${run.adminToken}
  API key      ${key} (${run.keptKey ? "kept from the last run" : "new"})
  local state  ${run.stateFile} (both kept here, beside the local D1)

Try it:
  curl -s ${base}/v1/intent -H 'authorization: Bearer ${key}' -H 'content-type: application/json' \\
    -d '{"text": "I was charged twice this month", "labels": ["billing", "shipping", "other"]}'
  curl -s ${base}/v1/spend/requests -H 'authorization: Bearer ${key}'

Dashboard: ${base}/dashboard#token=${key}
  "Per month" projects the last 7 whole UTC days, so it stays at $0 until the D1 has them.
  The "measured" columns fill with shadow calls to mini: SHADOW_RATE=0.05 npm start.
API reference: ${base}/docs (the document: ${base}/openapi.json)

One line per request follows: method, path, status, time, cost. Ctrl-C stops it.`;
}
