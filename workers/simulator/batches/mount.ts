/** The Files and Batch APIs, mounted on the simulator's app; batch lines are answered by that same app. */
import type { Hono } from 'hono';
import type { SimulatorOptions } from '../options';
import { mountBatches } from './batch-routes';
import { mountFiles } from './file-routes';
import { FileStore } from './files';

export function mountFilesAndBatches(app: Hono, options: SimulatorOptions): void {
  const files = new FileStore(options.now);
  mountFiles(app, files);
  mountBatches(app, files, options, async (request) => app.fetch(request));
}
