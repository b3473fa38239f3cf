import { fileURLToPath } from 'node:url';
import test from 'ava';
import { sqlOwners } from '@gatehouse/testkit';

// The session middleware goes through the session store; a second module with SQL on
// the same table would be a second place to change when a column does.
test('every table the migrations create → its SQL in exactly one module of src', async (t) => {
  const owners = await sqlOwners(
    fileURLToPath(new URL('../src', import.meta.url)),
    fileURLToPath(new URL('../migrations', import.meta.url)),
  );
  t.true(owners.has('web_sessions'));
  t.deepEqual(
    [...owners].filter(([, files]) => files.length !== 1),
    [],
  );
});
