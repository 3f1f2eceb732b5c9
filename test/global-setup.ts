import type { TestProject } from "vitest/node";
import { startSimulator } from "../workers/simulator/node";

/** One simulator for the whole run, on a free port; the Worker reaches it through OPENAI_BASE_URL. */
export default async function setup(project: TestProject) {
  const simulator = await startSimulator({ port: 0 });
  project.provide("simulatorUrl", simulator.url);
  return () => simulator.close();
}

declare module "vitest" {
  export interface ProvidedContext {
    simulatorUrl: string;
  }
}
