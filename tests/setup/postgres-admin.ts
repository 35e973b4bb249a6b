/** Creating and dropping test databases on the server TEST_DATABASE_URL points at. */
import pg from 'pg';
import { TEST_DATABASE_URL } from './test-env';

export function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery<T = unknown>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}
