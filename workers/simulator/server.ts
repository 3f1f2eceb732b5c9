/**
 * CLI: `npx tsx workers/simulator/server.ts [--port 8788] [--host 127.0.0.1] [--latency-ms N]
 * [--tokens-per-second N] [--cache-ttl-ms N]`.
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './node';

function numberFlag(values: Record<string, string | undefined>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got ${raw}`);
  return value;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8788' },
    host: { type: 'string', default: '127.0.0.1' },
    'latency-ms': { type: 'string' },
    'tokens-per-second': { type: 'string' },
    'cache-ttl-ms': { type: 'string' },
  },
});

const knobs = {
  latencyMs: numberFlag(values, 'latency-ms'),
  tokensPerSecond: numberFlag(values, 'tokens-per-second'),
  cacheTtlMs: numberFlag(values, 'cache-ttl-ms'),
};
const simulator = await startSimulator({
  port: numberFlag(values, 'port'),
  host: values.host,
  ...Object.fromEntries(Object.entries(knobs).filter(([, value]) => value !== undefined)),
});
console.log(`simulator listening on ${simulator.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void simulator.close().then(() => process.exit(0)));
}
