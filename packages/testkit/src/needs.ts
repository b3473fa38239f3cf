import test, { type Implementation } from 'ava';
import { embeddedOnly } from './servers.js';

/**
 * A test that needs something this machine may lack. Where it is missing the
 * test is skipped with the reason printed; under CI=true it fails instead, so
 * CI never turns green for lack of a dependency. The embedded mode
 * (GATEHOUSE_TEST_SERVERS=embedded) lacks servers on purpose: there a test
 * that needs one is skipped, CI or not.
 */
export function testNeeding(missingReason: string | undefined, options: { serial?: boolean } = {}) {
  const run = options.serial ? test.serial : test;
  return (title: string, implementation: Implementation<[]>) => {
    if (!missingReason) return run(title, implementation);
    if (process.env.CI === 'true' && !embeddedOnly()) {
      return run(title, (t) => t.fail(`needs a dependency this run lacks: ${missingReason}`));
    }
    process.stderr.write(`SKIP ${title}: ${missingReason}\n`);
    return run.skip(title, implementation);
  };
}
