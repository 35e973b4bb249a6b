import { PGlite, types } from '@electric-sql/pglite';
const t0 = Date.now();
const db = new PGlite();
await db.waitReady;
console.log('ready ms', Date.now() - t0, 'version', (await db.query('select version()')).rows[0]);
const r = await db.query(
  `select count(*) as c, 5::int8 as b, now() as t, '\\x0102'::bytea as by, '{a,b}'::text[] as arr, '{"x":1}'::jsonb as j, 1.5::real as r, gen_random_uuid() as u`,
);
console.log(r.rows[0], typeof r.rows[0].c);
const t1 = Date.now();
const dump = await db.dumpDataDir('gzip');
console.log('dump ms', Date.now() - t1, dump.size);
const t2 = Date.now();
const db2 = new PGlite({ loadDataDir: dump });
await db2.waitReady;
console.log('load ms', Date.now() - t2);
console.log(Object.keys(types).slice(0, 10));
