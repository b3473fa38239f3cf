import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import type { Logger } from '@gatehouse/service-kit';

export interface BackendRequest {
  gitBin: string;
  projectRoot: string;
  /** The repository's directory below projectRoot plus the git path, e.g. /1001/200001.git/info/refs. */
  pathInfo: string;
  remoteUser: string | undefined;
  hooksDir: string;
  /** Extra environment the hooks read. */
  hookEnv: Record<string, string>;
  logger: Logger;
}

/**
 * Runs `git http-backend` as a CGI: the request body is piped into it and
 * its output piped back after the CGI headers, so no pack is ever held in
 * memory. Resolves once git's headers are in, with a promise of its exit
 * code: awaiting that before Koa sends the body would stall any answer
 * larger than the pipe buffers.
 */
export function runHttpBackend(ctx: Context, request: BackendRequest): Promise<{ exited: Promise<number> }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_PROJECT_ROOT: request.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: request.pathInfo,
    REQUEST_METHOD: ctx.method,
    QUERY_STRING: ctx.querystring,
    CONTENT_TYPE: ctx.get('content-type'),
    REMOTE_ADDR: ctx.ip,
    // receive-pack is enabled only for an authenticated user, which the routes have checked.
    ...(request.remoteUser ? { REMOTE_USER: request.remoteUser } : {}),
    ...(ctx.get('content-length') ? { CONTENT_LENGTH: ctx.get('content-length') } : {}),
    ...(ctx.get('content-encoding') ? { HTTP_CONTENT_ENCODING: ctx.get('content-encoding') } : {}),
    ...(ctx.get('git-protocol') ? { GIT_PROTOCOL: ctx.get('git-protocol') } : {}),
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'core.hooksPath',
    GIT_CONFIG_VALUE_0: request.hooksDir,
    GIT_CONFIG_KEY_1: 'http.receivepack',
    GIT_CONFIG_VALUE_1: request.remoteUser ? 'true' : 'false',
    ...request.hookEnv,
  };
  const child = spawn(request.gitBin, ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  child.stderr.on('data', (chunk: Buffer) =>
    request.logger.debug({ git: chunk.toString('utf8').trim() }, 'git http-backend'),
  );
  ctx.req.pipe(child.stdin);
  child.stdin.on('error', () => {});
  // A request cut short (the client gave up, a proxy refused the rest) would never end git's input, and
  // git would wait for the rest of the pack for ever: close it, so git sees the pack is truncated and stops.
  ctx.req.once('close', () => {
    if (!ctx.req.complete) child.stdin.destroy();
  });

  return new Promise<{ exited: Promise<number> }>((resolve, reject) => {
    let head = Buffer.alloc(0);
    const body = new PassThrough();
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = findHeaderEnd(head);
      if (end === undefined) {
        if (head.length > 64 * 1024) fail(new Error('git http-backend sent no header end'));
        return;
      }
      child.stdout.off('data', onData);
      applyCgiHeaders(ctx, head.subarray(0, end.at).toString('latin1'));
      body.write(head.subarray(end.at + end.length));
      child.stdout.pipe(body);
      ctx.body = body;
      resolve({ exited });
    };
    const fail = (err: Error) => {
      child.kill();
      reject(err);
    };
    child.stdout.on('data', onData);
    child.on('error', fail);
    void exited.then((code) => {
      if (!ctx.body) fail(new Error(`git http-backend exited ${code} before answering`));
    });
  });
}

function findHeaderEnd(buffer: Buffer): { at: number; length: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return undefined;
}

function applyCgiHeaders(ctx: Context, text: string): void {
  ctx.status = 200;
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') ctx.status = Number.parseInt(value, 10) || 500;
    else ctx.set(name, value);
  }
}
