/**
 * The researchers' API end to end over HTTP: an export snapshot started, followed and downloaded
 * byte-identical; consensus of a pair; scores from the active model; scopes, project-scoped tokens
 * and revoked tokens; and the OpenAPI document covering every API route.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../setup/db';
import { makeJudgedProject, makePreferenceProject, makeUser } from '../setup/factories';
import { useTestServer } from '../setup/server';
import { createApiToken, revokeApiToken } from '../../tasks/api-tokens';
import { OPENAPI } from '../../app/utils/openapi';

const build = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as {
  routes: Record<string, { id: string; path?: string; parentId?: string }>;
};

describe('the OpenAPI document', () => {
  it('documents every API route', () => {
    const apiRoutes = Object.keys(build.routes).filter(
      (id) => id.startsWith('routes/api.v1.') && id !== 'routes/api.v1.$',
    );
    const documented = Object.keys(OPENAPI.paths);
    const pathOf = (id: string) =>
      `/${id
        .replace(/^routes\//, '')
        .replace(/\[\.\]/g, '.')
        .replace(/_\./g, '.')
        .replace(/_$/, '')
        .split('.')
        .map((part) => (part.startsWith('$') ? '{param}' : part))
        .join('/')
        .replace('/json', '.json')}`;
    const normalise = (p: string) => p.replace(/\{[^}]+\}/g, '{param}');
    expect(apiRoutes.map(pathOf).sort()).toEqual(documented.map(normalise).sort());
  });
});

for (const backend of availableBackends()) {
  describe(`the researchers' API [${backend}]`, () => {
    const server = useTestServer(backend);
    const call = (token: string, url: string, init: RequestInit = {}) =>
      fetch(`${server.url()}${url}`, {
        ...init,
        headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
      });

    async function researcher(scopes: ('read' | 'export' | 'score')[], projectId: string | null = null) {
      const { user } = await makeUser(server.db(), { roles: ['researcher'] });
      const { id, token } = await createApiToken(
        server.db(),
        user.id,
        { name: 't', scopes, projectId },
        { userId: user.id, email: user.email },
      );
      return { user, token, tokenId: id };
    }

    it('starts an export, follows it to ready and downloads the same bytes every time', async () => {
      const project = await makeJudgedProject(server.db());
      const { token } = await researcher(['read', 'export']);
      const bad = await call(token, `/api/v1/projects/${project.slug}/exports`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ format: 'trl', filters: { minAgreement: 3 } }),
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({
        error: 'Minimum agreement: a share from 0 to 1.',
        field: 'minAgreement',
      });
      const notJson = await call(token, `/api/v1/projects/${project.slug}/exports`, {
        method: 'POST',
        body: 'format=trl',
      });
      expect(notJson.status).toBe(415);
      const started = await call(token, `/api/v1/projects/${project.slug}/exports`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ format: 'hh-rlhf' }),
      });
      expect(started.status).toBe(202);
      const { id, url } = (await started.json()) as { id: string; url: string };
      let snapshot:
        { status: string; sha256: string; rows: number; download: string; dataset_card: string } | undefined;
      for (let i = 0; i < 200; i++) {
        snapshot = (await (await call(token, url)).json()) as typeof snapshot;
        if (snapshot!.status === 'ready' || snapshot!.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(snapshot).toMatchObject({ status: 'ready', download: `/api/v1/exports/${id}/download` });
      expect(snapshot!.dataset_card).toContain('hh-rlhf export');
      const first = Buffer.from(await (await call(token, snapshot!.download)).arrayBuffer());
      const second = await call(token, snapshot!.download);
      expect(second.headers.get('x-content-sha256')).toBe(snapshot!.sha256);
      expect(Buffer.from(await second.arrayBuffer()).equals(first)).toBe(true);
      expect(createHash('sha256').update(first).digest('hex')).toBe(snapshot!.sha256);
      const records = first
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(records).toHaveLength(snapshot!.rows);
      expect(records[0].chosen).toMatch(/^\n\nHuman: /);
      const list = (await (await call(token, `/api/v1/projects/${project.slug}/exports`)).json()) as {
        exports: { id: string }[];
      };
      expect(list.exports.map((e) => e.id)).toContain(id);
    });

    it('gives a pair’s consensus, and scores only with a model and the score scope', async () => {
      const project = await makeJudgedProject(server.db());
      const { token } = await researcher(['read']);
      const pair = project.pairs[1]!;
      const consensus = await call(token, `/api/v1/pairs/${pair.id}/consensus`);
      expect(consensus.status).toBe(200);
      expect(await consensus.json()).toMatchObject({
        pair_id: pair.id,
        project: project.slug,
        judgments: 2,
        preferred: pair.aIsGood ? 'a' : 'b',
        helpfulness: { direction: pair.aIsGood ? 'a' : 'b' },
        adjudicated: false,
      });
      const noScope = await call(token, `/api/v1/projects/${project.slug}/score`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ pairs: [{ prompt: 'Hi?', a: 'Hello.', b: 'Go away.' }] }),
      });
      expect(noScope.status).toBe(403);
      expect(await noScope.json()).toMatchObject({ error: expect.stringContaining('"score" scope') });
      const scorer = await researcher(['score']);
      const noModel = await call(scorer.token, `/api/v1/projects/${project.slug}/score`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ pairs: [{ prompt: 'Hi?', a: 'Hello.', b: 'Go away.' }] }),
      });
      expect(noModel.status).toBe(404);
      expect(await noModel.json()).toMatchObject({
        error: expect.stringContaining('No active helpfulness reward model'),
      });
      const tooMany = await call(scorer.token, `/api/v1/projects/${project.slug}/score`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ pairs: [] }),
      });
      expect(await tooMany.json()).toMatchObject({ error: 'pairs: send at least one pair.' });
    });

    it('keeps a project-scoped token to its project and refuses revoked tokens', async () => {
      const mine = await makeJudgedProject(server.db());
      const other = await makePreferenceProject(server.db(), { prompts: [{}] });
      const { token, tokenId, user } = await researcher(['read', 'export'], mine.projectId);
      expect((await call(token, `/api/v1/projects/${mine.slug}/exports`)).status).toBe(200);
      const elsewhere = await call(token, `/api/v1/projects/${other.slug}/exports`);
      expect(elsewhere.status).toBe(404);
      const otherPair = await server
        .db()
        .selectFrom('pairs')
        .select('id')
        .where('project_id', '=', other.id)
        .executeTakeFirstOrThrow();
      expect((await call(token, `/api/v1/pairs/${otherPair.id}/consensus`)).status).toBe(404);
      // another project's export, by id
      const wide = await researcher(['read', 'export']);
      const started = await call(wide.token, `/api/v1/projects/${other.slug}/exports`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ format: 'consensus' }),
      });
      const { id } = (await started.json()) as { id: string };
      expect((await call(token, `/api/v1/exports/${id}`)).status).toBe(404);
      expect((await call(token, `/api/v1/exports/${id}/download`)).status).toBe(404);
      await revokeApiToken(server.db(), user.id, tokenId, { userId: user.id, email: user.email });
      expect((await call(token, `/api/v1/projects/${mine.slug}/exports`)).status).toBe(401);
    });

    it('serves the OpenAPI document to anyone', async () => {
      const response = await fetch(`${server.url()}/api/v1/openapi.json`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        openapi: '3.1.0',
        paths: expect.objectContaining({ '/api/v1/exports/{id}/download': expect.any(Object) }),
      });
    });
  });
}
