import { expect, it } from 'vitest';
import { describeDb } from '../tests/setup/db';
import { makeUser } from '../tests/setup/factories';
import { hashToken, setActive } from './accounts';
import { createApiToken, listApiTokens, revokeApiToken, verifyApiToken } from './api-tokens';

const ctx = { ip: '10.1.1.1', path: '/api/v1/me' };

describeDb('API tokens', ({ db }) => {
  it('shows the token once and stores only its hash', async () => {
    const { user } = await makeUser(db(), { roles: ['researcher'] });
    const { id, token } = await createApiToken(db(), user.id, { name: 'cluster' }, {});
    expect(token).toMatch(/^arb_[A-Za-z0-9_-]{43}$/);
    const row = await db()
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect((await listApiTokens(db(), user.id))[0]).toMatchObject({
      name: 'cluster',
      token_prefix: token.slice(0, 10),
    });
  });

  it('verifies, records use, and stops working once revoked', async () => {
    const { user } = await makeUser(db(), { roles: ['researcher'] });
    const { id, token } = await createApiToken(db(), user.id, { name: 'laptop' }, {});
    const principal = await verifyApiToken(db(), token, ctx);
    expect(principal?.user.id).toBe(user.id);
    const used = await db()
      .selectFrom('audit_log')
      .select('event')
      .where('actor_token_id', '=', id)
      .execute();
    expect(used.map((e) => e.event)).toContain('token.used');
    await revokeApiToken(db(), user.id, id, {});
    expect(await verifyApiToken(db(), token, ctx)).toBeNull();
    expect(
      await verifyApiToken(db(), token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'), ctx),
    ).toBeNull();
  });

  it('refuses expired tokens, tokens of deactivated users, and revoking someone else’s token', async () => {
    const { user } = await makeUser(db(), { roles: ['researcher'] });
    const { user: other } = await makeUser(db(), { roles: ['researcher'] });
    const { id, token } = await createApiToken(db(), user.id, { name: 'short-lived', expiresInDays: 1 }, {});
    expect(
      await verifyApiToken(db(), token, { ...ctx, now: new Date(Date.now() + 2 * 86_400_000) }),
    ).toBeNull();
    await expect(revokeApiToken(db(), other.id, id, {})).rejects.toThrow(/No such token/);
    await setActive(db(), user.id, false, {});
    expect(await verifyApiToken(db(), token, ctx)).toBeNull();
  });

  it('validates the name and the project scope', async () => {
    const { user } = await makeUser(db(), { roles: ['researcher'] });
    await expect(createApiToken(db(), user.id, { name: '  ' }, {})).rejects.toThrow(/Give the token a name/);
    await expect(
      createApiToken(db(), user.id, { name: 'x', projectId: '00000000-0000-4000-8000-000000000000' }, {}),
    ).rejects.toThrow(/Unknown project/);
  });
});

describeDb('API token input', ({ db }) => {
  it.each([
    ['abc', /whole number of days/],
    ['1.5', /whole number of days/],
    ['0', /at least 1 day/],
    ['99999', /at most 3650 days/],
  ])('explains a bad expiry %s', async (value, message) => {
    const { user } = await makeUser(db(), { roles: ['researcher'] });
    await expect(
      createApiToken(db(), user.id, { name: 'x', expiresInDays: value as never }, {}),
    ).rejects.toThrow(message);
  });
});
