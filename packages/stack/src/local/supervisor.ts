import { ManagedChild, type ChildOptions, type ExitInfo } from './child.js';

/**
 * The processes of one local run: spawned through it, stopped in order by
 * it, and reported when one stops without being asked to.
 */
export interface Supervisor {
  /** `critical: false`: its unexpected exit is its caller's business (a replica that is restarted), not a failure. */
  spawn(options: ChildOptions, critical?: boolean): ManagedChild;
  /** Settles when any child stops without being asked to. */
  failed: Promise<ExitInfo>;
  /** nginx first (it stops taking requests), then the services, then the mail catcher. */
  stopAll(): Promise<void>;
}

export function createSupervisor(): Supervisor {
  const children: ManagedChild[] = [];
  let failure: (info: ExitInfo) => void = () => {};
  const failed = new Promise<ExitInfo>((resolve) => {
    failure = resolve;
  });
  // A crash of the orchestrator must not leave its children behind.
  const killAll = () => children.forEach((c) => c.kill());
  process.once('exit', killAll);

  return {
    failed,
    spawn(options, critical = true) {
      const child = new ManagedChild(options);
      children.push(child);
      void child.exited.then((info) => {
        if (!info.expected && critical) failure(info);
      });
      return child;
    },
    async stopAll() {
      const nginx = children.find((c) => c.name === 'nginx');
      await nginx?.stop(10_000);
      await Promise.all(children.filter((c) => c !== nginx && c.name !== 'mail').map((c) => c.stop(15_000)));
      await Promise.all(children.map((c) => c.stop(5_000)));
      process.off('exit', killAll);
    },
  };
}
