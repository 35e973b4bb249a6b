/**
 * kill -9 of the server in the middle of the load, then a restart on the same port: the simulated
 * annotators retry what failed (each submission keeps its id, as the compare form does), and at
 * the end no acknowledged judgment is lost, none is stored twice, no pair is over-assigned, no
 * row is half-written, and the leases the dead process handed out return to the pool.
 */
import { describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../scripts/bench/load/integrity';
import { spawnServer } from '../../scripts/bench/load/server-process';
import { createPostgresCopy, hasPostgres } from './postgres-db';
import { prepareLoad, runLoad, SERVER_ENV, signIn, sleep } from './load-fixture';

describe.skipIf(!hasPostgres())('kill -9 of the server under load [postgres]', () => {
  it('loses no acknowledged judgment, stores none twice and returns abandoned leases', async () => {
    const database = await createPostgresCopy();
    const db = database.handle.db;
    const server = await spawnServer({ env: { ...SERVER_ENV, DATABASE_URL: database.url } });
    try {
      const fixture = await prepareLoad(db, { pairs: 400, annotators: 10 });
      const clients = await signIn(fixture, [server.url]);
      // two annotators take a pair each and never come back: their leases must expire
      const quitters = clients.splice(0, 2);
      const abandoned: string[] = [];
      for (const quitter of quitters) {
        const response = await quitter.request(`/compare?project=${fixture.slug}&_data=routes%2Fcompare`);
        abandoned.push(((await response.json()) as { pair: { assignmentId: string } }).pair.assignmentId);
      }
      const load = runLoad(clients, fixture.slug, 9);
      await sleep(3000);
      await server.kill('SIGKILL');
      const leasedAtKill = await db
        .selectFrom('assignments')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'leased')
        .executeTakeFirstOrThrow();
      await sleep(500);
      await server.restart();
      const result = await load;

      // the kill happened under load: requests failed and were retried, and work went on after it
      expect(Object.keys(result.errors).length).toBeGreaterThan(0);
      expect(Number(leasedAtKill.n)).toBeGreaterThan(2);
      expect(result.acknowledged.length).toBeGreaterThan(50);
      expect(result.unacknowledged).toEqual([]);
      const integrity = await checkIntegrity(db, fixture.projectId, result.acknowledged);
      expect(integrity).toMatchObject({
        lost: 0,
        duplicates: 0,
        overAssigned: 0,
        counterMismatches: 0,
        halfWritten: 0,
      });
      expect(integrity.judgments).toBe(result.acknowledged.length);

      // their leases run out (the shortest lease a project may have is 30 s, so the clock is
      // moved for them): the next request anyone makes once the process's once-a-second sweep is
      // due returns the pairs to the pool
      await db
        .updateTable('assignments')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('id', 'in', abandoned)
        .execute();
      await sleep(1100);
      const probe = await clients[0]!.request(`/compare?project=${fixture.slug}&_data=routes%2Fcompare`);
      expect(probe.status).toBe(200);
      const states = await db
        .selectFrom('assignments')
        .select('status')
        .where('id', 'in', abandoned)
        .execute();
      expect(states.map((s) => s.status)).toEqual(['expired', 'expired']);
      expect((await checkIntegrity(db, fixture.projectId, result.acknowledged)).ok).toBe(true);
    } finally {
      await server.kill('SIGKILL');
      await database.drop();
    }
  });
});
