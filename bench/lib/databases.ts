import pg from 'pg';

/** Runs one statement on the admin database (CREATE/DROP DATABASE). */
export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client(adminUrl);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on the admin URL's server. */
export const databaseUrl = (adminUrl: string, name: string) =>
  Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

/** Signs a bench user up at auth and confirms it in auth's database (benches have no mail catcher). */
export async function confirmedBenchUser(
  authUrl: string,
  authDbUrl: string,
  user: { username: string; email: string; password: string },
) {
  const signup = await fetch(`${authUrl}/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  if (signup.status !== 202) throw new Error(`signup: ${signup.status}`);
  const client = new pg.Client(authDbUrl);
  await client.connect();
  await client.query('UPDATE users SET email_verified_at = now()');
  await client.end();
}
