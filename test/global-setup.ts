import type { TestProject } from "vitest/node";
import { startSimulator } from "../workers/simulator/node";
import { shiftClock } from "./support/clock";

/**
 * One simulator for the whole run, on a free port; the Worker reaches it through OPENAI_BASE_URL.
 * It keeps the suite's clock (support/clock.ts): batches complete, and files are made, at the
 * Worker's time.
 */
export default async function setup(project: TestProject) {
  shiftClock(process.env.NANOMETER_TEST_CLOCK_OFFSET_MS);
  const simulator = await startSimulator({ port: 0 });
  project.provide("simulatorUrl", simulator.url);
  return () => simulator.close();
}

declare module "vitest" {
  export interface ProvidedContext {
    simulatorUrl: string;
  }
}
