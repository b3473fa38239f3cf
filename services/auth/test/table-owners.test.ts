import { fileURLToPath } from 'node:url';
import test from 'ava';
import { sqlOwners } from '@gatehouse/testkit';

// Domain code calls a table's module by name (insertUser, cutSessions, …); a second module with SQL on
// the same table would be a second place to change when a column does.
test('every table the migrations create → its SQL in exactly one module of src', async (t) => {
  const owners = await sqlOwners(
    fileURLToPath(new URL('../src', import.meta.url)),
    fileURLToPath(new URL('../migrations', import.meta.url)),
  );
  t.true(owners.has('users'));
  t.deepEqual(
    [...owners].filter(([, files]) => files.length !== 1),
    [],
  );
});
