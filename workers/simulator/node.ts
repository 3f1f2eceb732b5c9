/** Serves the simulator over HTTP in Node, for the test global setup, the benchmark and the CLI. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createSimulator, type SimulatorOptions } from './app';

export type StartSimulatorOptions = Partial<SimulatorOptions> & {
  /** 0 (the default) picks any free port. */
  port?: number;
  host?: string;
};

export type RunningSimulator = {
  /** Base URL for an OpenAI client, ending in /v1. */
  url: string;
  port: number;
  close(): Promise<void>;
};

export function startSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const { port = 0, host = '127.0.0.1', ...simulatorOptions } = options;
  const app = createSimulator(simulatorOptions);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      server.off('error', reject);
      resolve({
        url: `http://${host}:${info.port}/v1`,
        port: info.port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            (server as Server).closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
