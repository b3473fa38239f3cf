// Sizes of the images `npm run test:compose` leaves behind (gatehouse/<name>:test),
// read from the Docker engine that answers: the compose test's own engine
// (scripts/docker/dockerd.sh) first, then the default one. Without an engine, or
// without the image, the size is not measured, and says why.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const composeTestSocket = '/var/run/gatehouse-docker/docker.sock';

export type ImageSize = { image: string; bytes: number } | { image: string; why: string };

async function engineHost(): Promise<string | undefined> {
  const candidates = [
    ...(process.env.DOCKER_HOST ? [process.env.DOCKER_HOST] : []),
    ...(existsSync(composeTestSocket) ? [`unix://${composeTestSocket}`] : []),
    'unix:///var/run/docker.sock',
  ];
  for (const host of candidates) {
    try {
      await run('docker', ['version', '--format', '{{.Server.Version}}'], {
        env: { ...process.env, DOCKER_HOST: host },
        timeout: 10_000,
      });
      return host;
    } catch {
      // no engine there (or no docker CLI at all)
    }
  }
  return undefined;
}

export async function imageSizes(names: readonly string[]): Promise<ImageSize[]> {
  const host = await engineHost();
  if (!host) return names.map((name) => ({ image: `gatehouse/${name}:test`, why: 'not measured (no Docker engine)' }));
  return Promise.all(
    names.map(async (name): Promise<ImageSize> => {
      const image = `gatehouse/${name}:test`;
      try {
        const { stdout } = await run('docker', ['image', 'inspect', image, '--format', '{{.Size}}'], {
          env: { ...process.env, DOCKER_HOST: host },
          timeout: 30_000,
        });
        return { image, bytes: Number(stdout.trim()) };
      } catch {
        return { image, why: 'not measured (no such image; `npm run test:compose` builds it)' };
      }
    }),
  );
}
