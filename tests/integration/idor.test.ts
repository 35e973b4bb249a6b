/**
 * Reaching other people's things by id, over HTTP as each role would: another annotator's judgment,
 * label or lease; another researcher's token; another project's export through a project-scoped
 * token; revoked, expired and orphaned tokens on every API route; tampered ids (400/404, never a
 * 500); cross-origin posts to every form; hashes in no page or loader JSON; and the audit entry
 * each security event leaves. The route lists come from the route table (route-access.ts).
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../db/schema';
import { createApiToken } from '../../tasks/api-tokens';
import { createProject } from '../../tasks/projects';
import { availableBackends } from '../setup/db';
import { makePreferenceProject, makeUser } from '../setup/factories';
import { type Client, useTestServer } from '../setup/server';
import { fillPath, ROUTE_ACCESS, seedRouteIds, type RouteIds } from './route-access';

/** The value of a hidden form field in a page. */
function hidden(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
  if (!value) throw new Error(`no hidden field ${name} in the page`);
  return value;
}

const VERDICT = { helpfulness: '-2', safety: '0' };

/** Every API route of the route table, with the method and placeholders it is called with. */
const API_CALLS = Object.values(ROUTE_ACCESS).flatMap(({ rule, action, path }) => [
  ...(rule.kind === 'token' ? [{ method: 'GET', path }] : []),
  ...(action.kind === 'token' ? [{ method: 'POST', path }] : []),
]);

for (const backend of availableBackends()) {
  describe(`other people's things by id [${backend}]`, () => {
    const server = useTestServer(backend);
    const db = () => server.db();

    async function signedIn(roles: Role[]) {
      const { user, password } = await makeUser(db(), { roles });
      const client = server.client();
      await client.login(user.email, password);
      return { user, password, client };
    }

    /** Opens the compare screen and returns the lease it shows (assignment and submission ids). */
    async function lease(client: Client, slug: string) {
      const page = await client.get(`/compare?project=${slug}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      return { assignmentId: hidden(html, 'assignmentId'), judgmentId: hidden(html, 'judgmentId') };
    }

    async function leaseItem(client: Client, slug: string) {
      const page = await client.get(`/label?project=${slug}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      return { assignmentId: hidden(html, 'assignmentId'), labelId: hidden(html, 'labelId') };
    }

    const judgment = (id: string) =>
      db().selectFrom('judgments').selectAll().where('id', '=', id).executeTakeFirst();
    const assignment = (id: string) =>
      db()
        .selectFrom('assignments')
        .select(['annotator_id', 'status'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    const denials = async (userId: string) =>
      (
        await db()
          .selectFrom('audit_log')
          .select(['target_type', 'target_id', 'details', 'actor_email'])
          .where('event', '=', 'access.denied')
          .where('actor_user_id', '=', userId)
          .orderBy('id')
          .execute()
      ).map((e) => ({ target: `${e.target_type} ${e.target_id}`, ...(e.details as object) }));

    it("an annotator can neither open, edit nor take over another annotator's judgment", async () => {
      const project = await makePreferenceProject(db(), { prompts: [{}, {}] });
      const a = await signedIn(['annotator']);
      const b = await signedIn(['annotator']);
      const mine = await lease(a.client, project.slug);
      const submitted = await a.client.post(`/compare?project=${project.slug}`, {
        ...mine,
        ...VERDICT,
        rationale: 'The left one explains it.',
      });
      expect(submitted.status).toBe(302);
      const before = await judgment(mine.judgmentId);
      expect(before).toMatchObject({ annotator_id: a.user.id, revision: 1 });

      // the edit form, by its address and as the loader's JSON
      const page = await b.client.get(`/compare/history?edit=${mine.judgmentId}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).not.toContain('The left one explains it.');
      expect(html).not.toContain('aria-label="Edit judgment"');
      const data = await b.client.get(
        `/compare/history?edit=${mine.judgmentId}&_data=routes/compare_.history`,
      );
      expect(await data.json()).toEqual({ judgments: [], editing: null });

      const edit = await b.client.post('/compare/history', {
        judgmentId: mine.judgmentId,
        helpfulness: '3',
        safety: '3',
        rationale: 'Overwritten by someone else.',
      });
      expect(edit.status).toBe(404);
      expect(await edit.text()).toContain('No such judgment of yours.');

      // a submission of B's own pair under A's judgment id
      const theirs = await lease(b.client, project.slug);
      const reuse = await b.client.post(`/compare?project=${project.slug}`, {
        assignmentId: theirs.assignmentId,
        judgmentId: mine.judgmentId,
        helpfulness: '3',
        safety: '3',
      });
      expect(reuse.status).toBe(400);
      expect(await reuse.text()).toContain('This submission id is taken; reload the page.');

      expect(await judgment(mine.judgmentId)).toEqual(before);
      expect(
        await db()
          .selectFrom('judgment_revisions')
          .select('revision')
          .where('judgment_id', '=', mine.judgmentId)
          .execute(),
      ).toEqual([]);
      expect(await assignment(theirs.assignmentId)).toEqual({ annotator_id: b.user.id, status: 'leased' });
      // its owner still can edit it
      const own = await a.client.post('/compare/history', { judgmentId: mine.judgmentId, ...VERDICT });
      expect(own.status).toBe(302);
      expect(await judgment(mine.judgmentId)).toMatchObject({ revision: 2, rationale: '' });

      const target = `judgment ${mine.judgmentId}`;
      // the page and its loader JSON are one view each
      expect(await denials(b.user.id)).toEqual([
        { target, reason: 'not-owner', action: 'view', owner_id: a.user.id },
        { target, reason: 'not-owner', action: 'view', owner_id: a.user.id },
        { target, reason: 'not-owner', action: 'edit', owner_id: a.user.id },
        { target, reason: 'not-owner', action: 'submit', owner_id: a.user.id },
      ]);
      expect(await denials(a.user.id)).toEqual([]);
    });

    it('an annotator cannot submit or skip a pair leased to someone else', async () => {
      const project = await makePreferenceProject(db(), { prompts: [{}], redundancy: 2 });
      const a = await signedIn(['annotator']);
      const b = await signedIn(['annotator']);
      const held = await lease(a.client, project.slug);

      const submit = await b.client.post(`/compare?project=${project.slug}`, {
        assignmentId: held.assignmentId,
        judgmentId: randomUUID(),
        ...VERDICT,
      });
      expect(submit.status).toBe(404);
      expect(await submit.text()).toContain('Unknown assignment; reload the page.');
      const skip = await b.client.post(`/compare?project=${project.slug}`, {
        intent: 'skip',
        assignmentId: held.assignmentId,
        reason: 'other',
        note: 'not mine',
      });
      expect(skip.status).toBe(404);

      expect(await assignment(held.assignmentId)).toEqual({ annotator_id: a.user.id, status: 'leased' });
      expect(
        await db().selectFrom('judgments').select('id').where('annotator_id', '=', b.user.id).execute(),
      ).toEqual([]);
      const target = `assignment ${held.assignmentId}`;
      expect(await denials(b.user.id)).toEqual([
        { target, reason: 'not-owner', action: 'submit', owner_id: a.user.id },
        { target, reason: 'not-owner', action: 'skip', owner_id: a.user.id },
      ]);
      expect((await a.client.post(`/compare?project=${project.slug}`, { ...held, ...VERDICT })).status).toBe(
        302,
      );
    });

    it('a members-only project serves no pair to an outsider, who cannot act on a member’s lease', async () => {
      const project = await makePreferenceProject(db(), { prompts: [{}, {}] });
      const lead = await signedIn(['lead']);
      const member = await signedIn(['annotator']);
      const outsider = await signedIn(['annotator']);
      const restrict = await lead.client.post(`/projects/${project.slug}`, {
        intent: 'access',
        membersOnly: 'true',
      });
      expect(restrict.status).toBe(200);
      const add = await lead.client.post(`/projects/${project.slug}`, {
        intent: 'add-member',
        email: member.user.email,
      });
      expect(add.status).toBe(200);

      const held = await lease(member.client, project.slug);
      const view = await outsider.client.get(`/compare?project=${project.slug}&_data=routes/compare`);
      expect(view.status).toBe(200);
      expect(await view.json()).toMatchObject({ pair: null });
      const submit = await outsider.client.post(`/compare?project=${project.slug}`, {
        assignmentId: held.assignmentId,
        judgmentId: randomUUID(),
        ...VERDICT,
      });
      expect(submit.status).toBe(404);
      expect(
        await db()
          .selectFrom('assignments')
          .select('id')
          .where('annotator_id', '=', outsider.user.id)
          .execute(),
      ).toEqual([]);
      expect(await denials(outsider.user.id)).toEqual([
        {
          target: `assignment ${held.assignmentId}`,
          reason: 'not-owner',
          action: 'submit',
          owner_id: member.user.id,
        },
      ]);
    });

    it("an annotator can neither change nor take over another annotator's sentiment label", async () => {
      const project = await createProject(
        db(),
        { slug: `idor-items-${randomUUID().slice(0, 8)}`, name: 'Items', type: 'sentiment', redundancy: 2 },
        {},
      );
      await db()
        .insertInto('sentiment_items')
        .values(
          ['A lovely morning.', 'The train was late again.', 'It is Tuesday.'].map((text, i) => ({
            project_id: project.id,
            text,
            content_hash: `${project.slug}-${i}`,
          })),
        )
        .execute();
      const a = await signedIn(['annotator']);
      const b = await signedIn(['annotator']);
      const first = await leaseItem(a.client, project.slug);
      expect(
        (await a.client.post(`/label?project=${project.slug}`, { ...first, label: 'positive' })).status,
      ).toBe(302);
      const labelOf = () =>
        db()
          .selectFrom('sentiment_labels')
          .select(['annotator_id', 'label'])
          .where('id', '=', first.labelId)
          .executeTakeFirstOrThrow();
      expect(await labelOf()).toEqual({ annotator_id: a.user.id, label: 'positive' });

      const change = await b.client.post('/label/history', { labelId: first.labelId, label: 'negative' });
      expect(change.status).toBe(404);
      expect(await change.text()).toContain('No such label of yours.');
      const theirs = await leaseItem(b.client, project.slug);
      const reuse = await b.client.post(`/label?project=${project.slug}`, {
        assignmentId: theirs.assignmentId,
        labelId: first.labelId,
        label: 'negative',
      });
      expect(reuse.status).toBe(400);
      const second = await leaseItem(a.client, project.slug);
      const submit = await b.client.post(`/label?project=${project.slug}`, {
        assignmentId: second.assignmentId,
        labelId: randomUUID(),
        label: 'negative',
      });
      expect(submit.status).toBe(404);
      const skip = await b.client.post(`/label?project=${project.slug}`, {
        intent: 'skip',
        assignmentId: second.assignmentId,
        reason: 'other',
      });
      expect(skip.status).toBe(404);

      expect(await labelOf()).toEqual({ annotator_id: a.user.id, label: 'positive' });
      expect(await assignment(second.assignmentId)).toEqual({ annotator_id: a.user.id, status: 'leased' });
      const owner = { reason: 'not-owner', owner_id: a.user.id };
      expect(await denials(b.user.id)).toEqual([
        { target: `sentiment_label ${first.labelId}`, action: 'edit', ...owner },
        { target: `sentiment_label ${first.labelId}`, action: 'submit', ...owner },
        { target: `assignment ${second.assignmentId}`, action: 'submit', ...owner },
        { target: `assignment ${second.assignmentId}`, action: 'skip', ...owner },
      ]);
    });

    it('answers tampered and unknown ids with 400 or 404, never a 500', async () => {
      const ids = await seedRouteIds(db());
      const clients = Object.fromEntries(
        await Promise.all(ROLES.map(async (role) => [role, (await signedIn([role])).client] as const)),
      ) as Record<Role, Client>;
      const { token } = await createApiToken(
        db(),
        (await makeUser(db(), { roles: ['researcher'] })).user.id,
        { name: 'probe', scopes: ['read', 'export', 'score'] },
        {},
      );
      const BAD = ['', 'not-a-uuid', "1' OR '1'='1", '../../etc/passwd', randomUUID()];
      const tries: {
        as: Role | 'token';
        method: 'GET' | 'POST';
        path: string;
        form?: Record<string, string>;
        /** what a correct answer is, when not 400 or 404 */
        ok?: number[];
      }[] = [];
      for (const bad of BAD) {
        const seg = encodeURIComponent(bad) || '%20';
        const slug = `?project=${ids.projectSlug}`;
        tries.push(
          {
            as: 'annotator',
            method: 'POST',
            path: '/compare/history',
            form: { judgmentId: bad, ...VERDICT },
          },
          // the edit form's id is a filter: an unknown one shows the list without a form
          { as: 'annotator', method: 'GET', path: `/compare/history?edit=${seg}`, ok: [200] },
          {
            as: 'annotator',
            method: 'POST',
            path: `/compare${slug}`,
            form: { assignmentId: bad, judgmentId: randomUUID(), ...VERDICT },
          },
          {
            as: 'annotator',
            method: 'POST',
            path: `/compare${slug}`,
            form: { assignmentId: randomUUID(), judgmentId: bad, ...VERDICT },
          },
          {
            as: 'annotator',
            method: 'POST',
            path: '/compare',
            form: { intent: 'skip', assignmentId: bad, reason: 'other' },
          },
          {
            as: 'annotator',
            method: 'POST',
            path: '/label/history',
            form: { labelId: bad, label: 'positive' },
          },
          {
            as: 'annotator',
            method: 'POST',
            path: '/label',
            form: { assignmentId: bad, labelId: randomUUID(), label: 'positive' },
          },
          {
            as: 'researcher',
            method: 'POST',
            path: '/account',
            form: { intent: 'revoke-token', tokenId: bad },
          },
          { as: 'admin', method: 'GET', path: `/admin/users/${seg}` },
          {
            as: 'admin',
            method: 'POST',
            path: `/admin/users/${seg}`,
            form: { intent: 'roles', roles: 'admin' },
          },
          { as: 'lead', method: 'GET', path: `/pairs/${seg}` },
          {
            as: 'lead',
            method: 'POST',
            path: `/pairs/${seg}`,
            form: { helpfulness: '-1', match: 'direction' },
          },
          { as: 'lead', method: 'GET', path: `/items/${seg}` },
          { as: 'lead', method: 'POST', path: `/items/${seg}`, form: { label: 'positive' } },
          { as: 'lead', method: 'GET', path: `/calibration/${seg}${slug}` },
          {
            as: 'lead',
            method: 'POST',
            path: '/adjudicate',
            form: { project: ids.projectSlug, unitId: bad, helpfulness: '1' },
          },
          { as: 'researcher', method: 'GET', path: `/exports/${seg}` },
          { as: 'researcher', method: 'GET', path: `/exports/${seg}/download` },
          {
            as: 'safety_reviewer',
            method: 'POST',
            path: '/review',
            form: { responseId: bad, row: '0', 'decision.0': 'confirm', 'category.0': 'violence' },
          },
          {
            as: 'safety_reviewer',
            method: 'POST',
            path: '/review',
            form: { responseId: randomUUID(), row: '0', 'flagId.0': bad, 'decision.0': 'confirm' },
          },
          ...API_CALLS.filter(({ path }) => path.includes(':')).map(({ method, path }) => ({
            as: 'token' as const,
            method: method as 'GET' | 'POST',
            path: fillPath(path, { ...ids, projectSlug: seg, pairId: seg, exportId: seg }),
            // GET of a POST-only endpoint says so before it looks at the project
            ok: [400, 404, 405],
          })),
        );
      }
      const seen: string[] = [];
      for (const t of tries) {
        const response =
          t.as === 'token'
            ? await fetch(`${server.url()}${t.path}`, {
                method: t.method,
                headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
                body:
                  t.method === 'POST'
                    ? JSON.stringify({ format: 'trl', pairs: [{ prompt: 'p', a: 'a', b: 'b' }] })
                    : undefined,
              })
            : t.method === 'GET'
              ? await clients[t.as].get(t.path)
              : await clients[t.as].post(t.path, t.form ?? {});
        await response.arrayBuffer();
        if (!(t.ok ?? [400, 404]).includes(response.status))
          seen.push(`${t.as} ${t.method} ${t.path} ${JSON.stringify(t.form ?? {})} → ${response.status}`);
      }
      expect(seen).toEqual([]);
    });
  });

  describe(`API tokens that must not work [${backend}]`, () => {
    const server = useTestServer(backend);
    const db = () => server.db();
    let mine: RouteIds;
    let other: RouteIds;

    beforeAll(async () => {
      mine = await seedRouteIds(db());
      other = await seedRouteIds(db());
    });

    const call = (token: string, method: string, path: string) =>
      fetch(`${server.url()}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body:
          method === 'POST'
            ? JSON.stringify({ format: 'trl', pairs: [{ prompt: 'Hi?', a: 'Hello.', b: 'Go away.' }] })
            : undefined,
      });

    async function researcherWithToken(projectId: string | null = null) {
      const { user, password } = await makeUser(db(), { roles: ['researcher'] });
      const client = server.client();
      await client.login(user.email, password);
      const created = await client.post('/account', {
        intent: 'create-token',
        name: 'ci',
        projectId: projectId ?? '',
      });
      expect(created.status).toBe(200);
      const token = /arb_[A-Za-z0-9_-]{43}/.exec(await created.text())![0];
      const { id } = await db()
        .selectFrom('api_tokens')
        .select('id')
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow();
      return { user, client, token, tokenId: id };
    }

    it('gets 401 on every API route once revoked, expired or its owner deactivated, each refusal logged', async () => {
      expect(API_CALLS.length).toBeGreaterThanOrEqual(8);
      const revoked = await researcherWithToken();
      const expired = await researcherWithToken();
      const orphaned = await researcherWithToken();
      for (const { token } of [revoked, expired, orphaned])
        expect((await call(token, 'GET', '/api/v1/me')).status).toBe(200);

      expect(
        (await revoked.client.post('/account', { intent: 'revoke-token', tokenId: revoked.tokenId })).status,
      ).toBe(200);
      await db()
        .updateTable('api_tokens')
        .set({ expires_at: new Date(Date.now() - 60_000) })
        .where('id', '=', expired.tokenId)
        .execute();
      await db().updateTable('users').set({ is_active: false }).where('id', '=', orphaned.user.id).execute();

      const seen: string[] = [];
      for (const [what, { token }] of Object.entries({ revoked, expired, orphaned }))
        for (const { method, path } of API_CALLS) {
          const url = fillPath(path, mine);
          const response = await call(token, method, url);
          const body = (await response.json()) as { error?: string };
          seen.push(
            `${what} ${method} ${url} → ${response.status} ${body.error?.startsWith('This token is not valid') ?? false}`,
          );
          expect(response.headers.get('www-authenticate')).toContain('invalid_token');
        }
      expect(seen.filter((line) => !line.endsWith('→ 401 true'))).toEqual([]);

      const rejected = async (tokenId: string) =>
        (
          await db()
            .selectFrom('audit_log')
            .select('details')
            .where('event', '=', 'token.rejected')
            .where('actor_token_id', '=', tokenId)
            .orderBy('id')
            .execute()
        ).map((e) => e.details as { reason: string; path: string });
      const paths = API_CALLS.map(({ path }) => fillPath(path, mine));
      expect(await rejected(revoked.tokenId)).toEqual(paths.map((path) => ({ reason: 'revoked', path })));
      expect(await rejected(expired.tokenId)).toEqual(paths.map((path) => ({ reason: 'expired', path })));
      const revocation = await db()
        .selectFrom('audit_log')
        .select(['actor_user_id', 'ip', 'target_type'])
        .where('event', '=', 'token.revoked')
        .where('target_id', '=', revoked.tokenId)
        .executeTakeFirstOrThrow();
      expect(revocation).toMatchObject({ actor_user_id: revoked.user.id, target_type: 'api_token' });
      expect(revocation.ip).toBeTruthy();
    });

    it("a researcher cannot revoke another researcher's token", async () => {
      const owner = await researcherWithToken();
      const intruder = await researcherWithToken();
      const response = await intruder.client.post('/account', {
        intent: 'revoke-token',
        tokenId: owner.tokenId,
      });
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('No such token.');
      expect((await call(owner.token, 'GET', '/api/v1/me')).status).toBe(200);
      const denied = await db()
        .selectFrom('audit_log')
        .select(['target_type', 'target_id', 'details', 'ip'])
        .where('event', '=', 'access.denied')
        .where('actor_user_id', '=', intruder.user.id)
        .execute();
      expect(denied).toEqual([
        {
          target_type: 'api_token',
          target_id: owner.tokenId,
          details: { reason: 'not-owner', action: 'revoke', owner_id: owner.user.id },
          ip: expect.any(String),
        },
      ]);
    });

    it("reaches nothing of another project by slug or id with a project-scoped token, and says no more than for ids that don't exist", async () => {
      const { token, tokenId } = await researcherWithToken(mine.projectId);
      // the account page makes read-only tokens: this one may export and score too
      await db()
        .updateTable('api_tokens')
        .set({ scopes: ['read', 'export', 'score'] })
        .where('id', '=', tokenId)
        .execute();
      const nowhere: RouteIds = {
        ...other,
        projectSlug: 'no-such-project',
        pairId: randomUUID(),
        exportId: randomUUID(),
      };
      const seen: string[] = [];
      const byId = API_CALLS.filter(({ path }) => /:projectSlug|:pairId|:exportId/.test(path));
      expect(byId.length).toBeGreaterThanOrEqual(6);
      for (const { method, path } of byId) {
        const theirs = await call(token, method, fillPath(path, other));
        const absent = await call(token, method, fillPath(path, nowhere));
        const mask = (text: string) =>
          text
            .replaceAll(other.projectSlug, '…')
            .replaceAll(nowhere.projectSlug, '…')
            .replaceAll(other.pairId, '…')
            .replaceAll(nowhere.pairId, '…')
            .replaceAll(other.exportId, '…')
            .replaceAll(nowhere.exportId, '…');
        const [a, b] = [mask(await theirs.text()), mask(await absent.text())];
        if (theirs.status < 400 || theirs.status !== absent.status || a !== b)
          seen.push(`${method} ${path} → ${theirs.status} ${a} / absent → ${absent.status} ${b}`);
        // and the same route reaches the token's own project
        const own = await call(token, method, fillPath(path, mine));
        expect(
          `${method} ${path} own → ${own.status === 404 ? (await own.text()).slice(0, 80) : 'ok'}`,
        ).not.toMatch(/for this token|No such (export|pair)/);
      }
      expect(seen).toEqual([]);
      const listed = (await (await call(token, 'GET', '/api/v1/projects')).json()) as {
        projects: { id: string }[];
      };
      expect(listed.projects.map((p) => p.id)).toEqual([mine.projectId]);
    });
  });

  describe(`forms, hashes and the audit log [${backend}]`, () => {
    const server = useTestServer(backend);
    const db = () => server.db();
    let ids: RouteIds;
    let everyone: Client;
    let everyoneId = '';

    beforeAll(async () => {
      ids = await seedRouteIds(db());
      const { user, password } = await makeUser(db(), { roles: [...ROLES] });
      everyoneId = user.id;
      ids.userId = user.id;
      everyone = server.client();
      await everyone.login(user.email, password);
    });

    const auditCount = async (userId: string) =>
      Number(
        (
          await db()
            .selectFrom('audit_log')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('actor_user_id', '=', userId)
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('refuses a cross-origin post to every route that takes one, before the app sees it', async () => {
      const posts = Object.values(ROUTE_ACCESS).filter((r) => r.action.kind !== 'none');
      expect(posts.length).toBeGreaterThanOrEqual(20);
      const before = await auditCount(everyoneId);
      const sessions = await db()
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', everyoneId)
        .execute();
      const seen: string[] = [];
      for (const { path } of posts) {
        const url = fillPath(path, ids);
        // a form a foreign page submits, in both ways browsers mark it
        const byOrigin = await everyone.post(
          url,
          { intent: 'logout-everywhere', roles: 'annotator' },
          { headers: { Origin: 'https://evil.example' } },
        );
        const bySite = await everyone.request(url, {
          method: 'POST',
          body: new URLSearchParams({ intent: 'logout-everywhere' }),
          headers: { 'Sec-Fetch-Site': 'cross-site' },
        });
        const byNull = await everyone.post(
          url,
          { intent: 'logout-everywhere' },
          { headers: { Origin: 'null' } },
        );
        for (const [how, r] of Object.entries({ byOrigin, bySite, byNull }))
          seen.push(`${how} ${url} → ${r.status} ${/Cross-origin request refused/.test(await r.text())}`);
      }
      expect(seen.filter((line) => !line.endsWith('→ 403 true'))).toEqual([]);
      expect(await auditCount(everyoneId)).toBe(before);
      expect(
        await db().selectFrom('sessions').select('id').where('user_id', '=', everyoneId).execute(),
      ).toEqual(sessions);
      expect((await everyone.get('/')).status).toBe(200);
    });

    it('sends no password, session or token hash in any page or loader JSON', async () => {
      // a user with a password, a session, a token and an audit trail, for the admin pages to show
      const { user, password } = await makeUser(db(), { roles: ['researcher'] });
      const other = server.client();
      await other.login(user.email, password);
      await other.post('/account', { intent: 'create-token', name: 'leaky?' });
      const secrets = [
        ...(await db().selectFrom('users').select('password_hash').execute()).map((u) => u.password_hash),
        ...(await db().selectFrom('sessions').select('id').execute()).map((s) => s.id),
        ...(await db().selectFrom('api_tokens').select('token_hash').execute()).map((t) => t.token_hash),
      ].filter((s): s is string => !!s);
      expect(secrets.length).toBeGreaterThanOrEqual(5);
      // every part of an scrypt$N$r$p$salt$key hash long enough to identify it
      const needles = secrets.flatMap((s) => s.split('$').filter((part) => part.length >= 16));
      const pages: string[] = [];
      for (const [routeId, { rule, path }] of Object.entries(ROUTE_ACCESS)) {
        if (rule.kind === 'token' || rule.kind === 'post-only') continue;
        const url = fillPath(
          path,
          routeId === 'routes/admin.users.$userId' ? { ...ids, userId: user.id } : ids,
        );
        pages.push(url);
        if (!url.startsWith('/api/') && rule.kind !== 'public' && rule.kind !== 'not-found')
          pages.push(`${url}${url.includes('?') ? '&' : '?'}_data=${encodeURIComponent(routeId)}`);
      }
      pages.push(`/admin/users/${user.id}?_data=${encodeURIComponent('routes/admin.users.$userId')}`);
      const leaks: string[] = [];
      let shown = 0;
      for (const page of pages) {
        const response = await everyone.get(page);
        const body = await response.text();
        // the pages do show the account (so a hash beside it would be seen)
        if (body.includes(user.email)) shown++;
        expect(`${page} → ${response.status}`).not.toMatch(/→ 5\d\d$/);
        for (const needle of needles)
          if (body.includes(needle)) leaks.push(`${page} has ${needle.slice(0, 8)}…`);
        if (/password_hash|token_hash|scrypt\$/.test(body)) leaks.push(`${page} names a hash`);
      }
      expect(leaks).toEqual([]);
      expect(shown).toBeGreaterThanOrEqual(4);
    });

    it('records each security event with who did it, from where, and to whom', async () => {
      const admin = await makeUser(db(), { roles: ['admin'] });
      const adminClient = server.client();
      await adminClient.login(admin.user.email, admin.password);
      const target = await makeUser(db(), { roles: ['annotator'] });
      const targetClient = server.client();
      await targetClient.login(target.user.email, target.password);
      const researcher = await makeUser(db(), { roles: ['researcher'] });
      const researcherClient = server.client();
      await researcherClient.login(researcher.user.email, researcher.password);
      const lead = await makeUser(db(), { roles: ['lead'] });
      const leadClient = server.client();
      await leadClient.login(lead.user.email, lead.password);

      const steps: {
        event: string;
        actor: string;
        target?: string;
        details?: object;
        act: () => Promise<Response>;
      }[] = [
        {
          event: 'login.failed',
          actor: target.user.id,
          act: () =>
            server.client().post('/login', { email: target.user.email, password: 'not the password' }),
        },
        {
          event: 'access.denied',
          actor: target.user.id,
          details: { reason: 'role', needed: ['admin'], method: 'GET', path: '/admin/users' },
          act: () => targetClient.get('/admin/users'),
        },
        {
          event: 'access.denied',
          actor: researcher.user.id,
          details: {
            reason: 'role',
            needed: ['lead', 'admin'],
            method: 'POST',
            path: `/projects/${ids.projectSlug}`,
          },
          act: () =>
            researcherClient.post(`/projects/${ids.projectSlug}`, { intent: 'access', membersOnly: 'true' }),
        },
        {
          event: 'access.denied',
          actor: target.user.id,
          details: { reason: 'role', needed: ['researcher'], method: 'POST', path: '/account' },
          act: () => targetClient.post('/account', { intent: 'create-token', name: 'sneaky' }),
        },
        {
          event: 'token.created',
          actor: researcher.user.id,
          act: () => researcherClient.post('/account', { intent: 'create-token', name: 'ci' }),
        },
        {
          event: 'user.roles_changed',
          actor: admin.user.id,
          target: `user ${target.user.id}`,
          details: { from: ['annotator'], to: ['annotator', 'lead'] },
          act: () =>
            adminClient.post(`/admin/users/${target.user.id}`, {
              intent: 'roles',
              roles: ['annotator', 'lead'],
            }),
        },
        {
          event: 'user.reset_link_created',
          actor: admin.user.id,
          target: `user ${target.user.id}`,
          act: () => adminClient.post(`/admin/users/${target.user.id}`, { intent: 'reset-link' }),
        },
        {
          event: 'user.logout_everywhere',
          actor: admin.user.id,
          target: `user ${target.user.id}`,
          act: () => adminClient.post(`/admin/users/${target.user.id}`, { intent: 'logout-everywhere' }),
        },
        {
          event: 'user.deactivated',
          actor: admin.user.id,
          target: `user ${target.user.id}`,
          act: () => adminClient.post(`/admin/users/${target.user.id}`, { intent: 'deactivate' }),
        },
        {
          event: 'user.reactivated',
          actor: admin.user.id,
          target: `user ${target.user.id}`,
          act: () => adminClient.post(`/admin/users/${target.user.id}`, { intent: 'reactivate' }),
        },
        {
          event: 'project.restricted',
          actor: lead.user.id,
          target: `project ${ids.projectId}`,
          act: () =>
            leadClient.post(`/projects/${ids.projectSlug}`, { intent: 'access', membersOnly: 'true' }),
        },
        {
          event: 'project.member_added',
          actor: lead.user.id,
          target: `project ${ids.projectId}`,
          details: { email: target.user.email },
          act: () =>
            leadClient.post(`/projects/${ids.projectSlug}`, {
              intent: 'add-member',
              email: target.user.email,
            }),
        },
        {
          event: 'login.succeeded',
          actor: target.user.id,
          act: () => server.client().post('/login', { email: target.user.email, password: target.password }),
        },
      ];
      const missing: string[] = [];
      for (const step of steps) {
        const before = await db()
          .selectFrom('audit_log')
          .select((eb) => eb.fn.max('id').as('id'))
          .executeTakeFirst();
        const response = await step.act();
        expect(`${step.event} → ${response.status}`).not.toMatch(/→ 5\d\d$/);
        const rows = await db()
          .selectFrom('audit_log')
          .selectAll()
          .where('id', '>', Number(before?.id ?? 0))
          .where('event', '=', step.event)
          .execute();
        const row = rows[0];
        if (rows.length !== 1 || !row) {
          missing.push(`${step.event}: ${rows.length} entries`);
          continue;
        }
        expect(row.actor_user_id).toBe(step.actor);
        expect(row.actor_email).toBeTruthy();
        if (step.event.startsWith('login.') || !step.event.startsWith('access.')) expect(row.ip).toBeTruthy();
        if (step.target) expect(`${row.target_type} ${row.target_id}`).toBe(step.target);
        if (step.details) expect(row.details).toMatchObject(step.details);
      }
      expect(missing).toEqual([]);
    });
  });
}
