import type { MirrorRuntime } from '../../src/index.js';
import { call, type Harness } from './harness.js';

/** Starts a mirror through the public API. */
export async function startMirror(h: Harness, token: string, body: Record<string, unknown> = {}) {
  const res = await call(`${h.url}/v1/mirrors`, { method: 'POST', token, json: body });
  if (res.status !== 202) throw new Error(`start mirror: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function job(h: Harness, token: string, id: string) {
  const res = await call(`${h.url}/v1/mirrors/${id}`, { token });
  return res.body as {
    status: string;
    stage: string;
    percent: number;
    message: string;
    waiting_until?: string;
    repository: { full_name: string; html_url: string } | null;
    error: { code: string; message: string } | null;
  };
}

/** Runs the worker until nothing is due (no timers: the test moves the clock for waits). */
export const drain = (runtime: MirrorRuntime) => runtime.worker!.drain();
