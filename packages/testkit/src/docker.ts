let reachable: Promise<boolean> | undefined;

/** True when testcontainers finds a container runtime; asked once per process. */
export function dockerReachable(): Promise<boolean> {
  reachable ??= (async () => {
    try {
      const { getContainerRuntimeClient } = await import('testcontainers');
      await getContainerRuntimeClient();
      return true;
    } catch {
      return false;
    }
  })();
  return reachable;
}
