// The Docker Engine API over its unix socket, the little the replica journeys use:
// find a compose service's containers, kill, start, inspect. No docker CLI needed
// in the tests image; the socket is mounted by docker-compose.replicas.yml.
import { request } from 'node:http';

export interface Container {
  id: string;
  name: string;
  service: string;
  /** Address on the project's network (empty while stopped). */
  ip: string;
  health: string | undefined;
  running: boolean;
}

interface Inspected {
  Id: string;
  Name: string;
  Config: { Labels: Record<string, string> };
  State: { Running: boolean; Health?: { Status: string } };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

export function dockerEngine(socketPath = '/var/run/docker.sock') {
  const call = (method: string, path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request({ socketPath, method, path, timeout: 30_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error(`docker ${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end();
    });
  const expect = async (method: string, path: string, ok: number[]) => {
    const res = await call(method, path);
    if (!ok.includes(res.status)) throw new Error(`docker ${method} ${path} → ${res.status} ${res.body}`);
    return res.body;
  };
  const inspect = async (id: string): Promise<Container> => {
    const c = JSON.parse(await expect('GET', `/containers/${id}/json`, [200])) as Inspected;
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ''),
      service: c.Config.Labels['com.docker.compose.service'] ?? '',
      ip: Object.values(c.NetworkSettings.Networks)[0]?.IPAddress ?? '',
      health: c.State.Health?.Status,
      running: c.State.Running,
    };
  };
  return {
    inspect,
    /** A compose service's containers in a project, by container number (replica 1, 2, …). */
    async containers(project: string, service: string): Promise<Container[]> {
      const filters = JSON.stringify({
        label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`],
      });
      const list = JSON.parse(
        await expect('GET', `/containers/json?all=1&filters=${encodeURIComponent(filters)}`, [200]),
      ) as { Id: string; Labels: Record<string, string> }[];
      list.sort(
        (a, b) =>
          Number(a.Labels['com.docker.compose.container-number']) -
          Number(b.Labels['com.docker.compose.container-number']),
      );
      return Promise.all(list.map((c) => inspect(c.Id)));
    },
    kill: (id: string, signal: string) => expect('POST', `/containers/${id}/kill?signal=${signal}`, [204]),
    /** 304: it was running already (a restart policy got there first). */
    start: (id: string) => expect('POST', `/containers/${id}/start`, [204, 304]),
  };
}

export type DockerEngine = ReturnType<typeof dockerEngine>;
