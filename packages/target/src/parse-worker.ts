/**
 * The body of a manifest-parsing worker thread (see parse-pool.ts): parses YAML off the main
 * event loop, so a huge or hostile file cannot delay the controller's lease renewals.
 */
import { parentPort } from 'node:worker_threads';
import { parseManifests, type ParseLimits } from '@gitward/engine';

export interface ParseTask {
  readonly id: number;
  readonly text: string;
  readonly origin: string;
  readonly limits: ParseLimits;
}

parentPort?.on('message', (task: ParseTask) => {
  parentPort?.postMessage({
    id: task.id,
    result: parseManifests(task.text, task.origin, task.limits),
  });
});
