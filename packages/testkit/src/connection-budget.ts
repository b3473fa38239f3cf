import { cpus } from 'node:os';
import { adminQuery } from './admin-query.js';

/**
 * How many connections one test database may take at most: its pool, and the
 * LISTEN connection a service keeps beside it (web's session cache).
 */
export const POOL_SIZE = 2;
const CONNECTIONS_PER_DATABASE = POOL_SIZE + 1;
/** Left for the admin connections that create and drop databases, and for psql. */
const HEADROOM = 10;
const STALL_MS = 15_000;

/**
 * Every test process of a run (ava starts one per core) shares one Postgres
 * server, and its max_connections (100 unless raised) is the scarce thing: one
 * web test file starting 17 stacks at once held 73 connections, so two such
 * files side by side were refused with "too many clients". Each process
 * therefore takes an equal share of the server's connections and hands it out
 * per test database; a test that cannot have its databases waits, in turn, for
 * another test to give its own back.
 *
 * A test that takes its databases one after another (a stack, then the GitHub
 * stand-in's) could wait on others that wait on it. So when the queue has not
 * moved for STALL_MS, its head is let in over the budget: a deadlock becomes
 * a short overdraft, never a hang.
 */
export interface ConnectionBudget {
  /** Waits until `count` databases fit; returns one function per database that gives it back. */
  reserve(count: number): Promise<(() => void)[]>;
}

let budget: Promise<ConnectionBudget> | undefined;

export function connectionBudget(adminUrl: string): Promise<ConnectionBudget> {
  budget ??= serverLimit(adminUrl).then((limit) => {
    // ava's own default: one test process per CPU, two under CI.
    const processes = Number(process.env.GATEHOUSE_TEST_PROCESSES) || (process.env.CI ? 2 : Math.max(1, cpus().length));
    const share = Math.floor((limit - HEADROOM) / processes);
    // Four: the most one test holds (auth, web, the mirror and the GitHub stand-in).
    return createBudget(Math.max(4, Math.floor(share / CONNECTIONS_PER_DATABASE)));
  });
  return budget;
}

/** The connections an ordinary role may open: max_connections less the superuser reserve. */
async function serverLimit(adminUrl: string): Promise<number> {
  const [row] = await adminQuery<{ limit: number }>(
    adminUrl,
    `SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int AS limit`,
  );
  return row!.limit;
}

export function createBudget(databases: number, stallMs = STALL_MS): ConnectionBudget {
  let free = databases;
  const waiting: { count: number; grant: () => void }[] = [];
  let stall: NodeJS.Timeout | undefined;
  const grantHead = () => {
    const next = waiting.shift()!;
    free -= next.count;
    next.grant();
  };
  const watch = () => {
    if (waiting.length === 0) {
      clearTimeout(stall);
      stall = undefined;
    } else {
      stall ??= setTimeout(() => {
        stall = undefined;
        grantHead();
        admit();
      }, stallMs);
    }
  };
  const admit = () => {
    // First come, first served: a large request is not starved by small ones behind it.
    let moved = false;
    while (waiting.length > 0 && waiting[0]!.count <= free) {
      grantHead();
      moved = true;
    }
    // The stall clock measures time without progress, so only progress restarts it.
    if (moved) {
      clearTimeout(stall);
      stall = undefined;
    }
    watch();
  };
  return {
    async reserve(requested) {
      const count = Math.min(requested, databases);
      await new Promise<void>((grant) => {
        waiting.push({ count, grant });
        admit();
      });
      // A request larger than the whole budget was let in for the budget's size: its extra databases cost nothing back.
      return Array.from({ length: requested }, (_, i) => {
        let given = i >= count;
        return () => {
          if (given) return;
          given = true;
          free += 1;
          clearTimeout(stall);
          stall = undefined;
          admit();
        };
      });
    },
  };
}
