/**
 * The body of a bcrypt pool worker (bcrypt-pool.ts): one job at a time, synchronously, since a
 * whole thread is this job's. Runs as its own module in a worker thread, on Node's type
 * stripping like every other module here.
 */
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

interface Job {
  readonly id: number;
  readonly op: 'compare' | 'hash';
  readonly password: string;
  readonly hash: string;
  readonly cost: number;
}

parentPort?.on('message', (job: Job) => {
  try {
    const result =
      job.op === 'compare'
        ? bcrypt.compareSync(job.password, job.hash)
        : bcrypt.hashSync(job.password, job.cost);
    parentPort?.postMessage({ id: job.id, ok: true, result });
  } catch (err) {
    parentPort?.postMessage({
      id: job.id,
      ok: false,
      message: err instanceof Error ? err.message : String(err),
    });
  }
});
