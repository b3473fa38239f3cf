// Runs in a worker thread: bcrypt is pure CPU, and on the main thread one
// cost-12 hash stalls every other request for a quarter of a second.
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

export type HashTask = { op: 'hash'; input: string; cost: number } | { op: 'compare'; input: string; hash: string };

parentPort?.on('message', ({ id, task }: { id: number; task: HashTask }) => {
  try {
    const result =
      task.op === 'hash' ? bcrypt.hashSync(task.input, task.cost) : bcrypt.compareSync(task.input, task.hash);
    parentPort?.postMessage({ id, result });
  } catch (err) {
    parentPort?.postMessage({ id, error: (err as Error).message });
  }
});
