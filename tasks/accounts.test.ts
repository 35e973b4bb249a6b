import { expect, it } from 'vitest';
import { describeDb } from '../tests/setup/db';
import { makeUser, uniqueEmail } from '../tests/setup/factories';
import {
  authenticate,
  changePassword,
  createInvite,
  createUser,
  findInvite,
  redeemInvite,
  setActive,
  setRoles,
} from './accounts';
import { UserInputError } from './errors';
import { TEST_SCRYPT } from './passwords';

const LIMITS = { windowMinutes: 15, maxFailuresPerAccount: 3, maxFailuresPerAddress: 6 };

describeDb('accounts', ({ db }) => {
  it('creates a user with normalized email and refuses a duplicate, whatever its case', async () => {
    const email = uniqueEmail();
    const user = await createUser(
      db(),
      { email: `  ${email.toUpperCase()} `, roles: ['lead', 'lead'], password: 'correct horse battery' },
      {},
      TEST_SCRYPT,
    );
    expect(user.email).toBe(email);
    expect(user.roles).toEqual(['lead']);
    await expect(
      createUser(db(), { email: email.toUpperCase(), roles: ['annotator'] }, {}, TEST_SCRYPT),
    ).rejects.toThrow(/already exists/);
    const entries = await db()
      .selectFrom('audit_log')
      .select('event')
      .where('target_id', '=', user.id)
      .execute();
    expect(entries.map((e) => e.event)).toContain('user.created');
  });

  it('names the field for invalid input and writes nothing', async () => {
    const before = await db()
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-email', roles: ['annotator'] }, 'email'],
      [{ email: uniqueEmail(), roles: [] }, 'roles'],
      [{ email: uniqueEmail(), roles: ['wizard'] }, 'roles'],
      [{ email: uniqueEmail(), roles: ['annotator'], password: 'short' }, 'password'],
      [{ email: uniqueEmail(), roles: ['annotator'], languages: ['English!'] }, 'languages'],
    ];
    for (const [input, field] of cases) {
      const error = await createUser(db(), input as never, {}, TEST_SCRYPT).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserInputError);
      expect((error as UserInputError).field).toBe(field);
    }
    const after = await db()
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('authenticates, and rate-limits an account after repeated failures even for the right password', async () => {
    const { user, password } = await makeUser(db());
    const ip = '10.9.0.1';
    expect(await authenticate(db(), { email: user.email, password, ip }, LIMITS)).toEqual({
      ok: true,
      userId: user.id,
    });
    for (let i = 0; i < 3; i++) {
      const r = await authenticate(db(), { email: user.email, password: 'wrong password', ip }, LIMITS);
      expect(r).toMatchObject({ ok: false, reason: 'invalid' });
    }
    const locked = await authenticate(db(), { email: user.email, password, ip }, LIMITS);
    expect(locked).toMatchObject({ ok: false, reason: 'rate-limited' });
    expect(locked.ok === false && locked.retryAfterSeconds).toBeGreaterThan(0);
    // the window passes: the right password works again
    const later = new Date(Date.now() + 16 * 60_000);
    expect(await authenticate(db(), { email: user.email, password, ip, now: later }, LIMITS)).toMatchObject({
      ok: true,
    });
  });

  it('rate-limits an address that tries many accounts', async () => {
    const ip = '10.9.0.2';
    for (let i = 0; i < 6; i++) {
      await authenticate(db(), { email: uniqueEmail('ghost'), password: 'whatever it is', ip }, LIMITS);
    }
    const { user, password } = await makeUser(db());
    expect(await authenticate(db(), { email: user.email, password, ip }, LIMITS)).toMatchObject({
      reason: 'rate-limited',
    });
    expect(await authenticate(db(), { email: user.email, password, ip: '10.9.0.3' }, LIMITS)).toMatchObject({
      ok: true,
    });
  });

  it('answers a deactivated account like a wrong password', async () => {
    const { user, password } = await makeUser(db());
    await setActive(db(), user.id, false, {});
    expect(await authenticate(db(), { email: user.email, password, ip: '10.9.0.4' }, LIMITS)).toMatchObject({
      ok: false,
      reason: 'invalid',
      message: 'Wrong email or password.',
    });
  });

  it('never removes or deactivates the last active admin', async () => {
    const admins = await db()
      .selectFrom('users')
      .select('id')
      .where(({ eb, val, fn }) => eb(val('admin'), '=', fn.any('roles')))
      .execute();
    for (const a of admins)
      await db()
        .updateTable('users')
        .set({ roles: ['lead'] })
        .where('id', '=', a.id)
        .execute();
    const { user: admin } = await makeUser(db(), { roles: ['admin'] });
    await expect(setRoles(db(), admin.id, ['lead'], {})).rejects.toThrow(/last active admin/);
    await expect(setActive(db(), admin.id, false, {})).rejects.toThrow(/last active admin/);
    const { user: second } = await makeUser(db(), { roles: ['admin'] });
    await setRoles(db(), admin.id, ['lead'], {});
    const log = await db()
      .selectFrom('audit_log')
      .select(['event', 'details'])
      .where('target_id', '=', admin.id)
      .execute();
    expect(log.find((e) => e.event === 'user.roles_changed')?.details).toMatchObject({
      from: ['admin'],
      to: ['lead'],
    });
    expect(second.roles).toEqual(['admin']);
  });

  it('invite links work once, set the password, and a newer link replaces an older one', async () => {
    const user = await createUser(
      db(),
      { email: uniqueEmail('invitee'), roles: ['annotator'] },
      {},
      TEST_SCRYPT,
    );
    const first = await createInvite(db(), user.id, 'invite', {});
    const second = await createInvite(db(), user.id, 'invite', {});
    expect(await findInvite(db(), first.token)).toBeNull();
    expect((await findInvite(db(), second.token))?.user.id).toBe(user.id);
    await expect(redeemInvite(db(), second.token, 'short', null, TEST_SCRYPT)).rejects.toThrow(/at least 10/);
    await redeemInvite(db(), second.token, 'a fine new password', null, TEST_SCRYPT);
    await expect(redeemInvite(db(), second.token, 'another password!', null, TEST_SCRYPT)).rejects.toThrow(
      /invalid, used or expired/,
    );
    expect(
      await authenticate(
        db(),
        { email: user.email, password: 'a fine new password', ip: '10.9.0.5' },
        LIMITS,
      ),
    ).toMatchObject({ ok: true });
  });

  it('changing a password checks the current one and ends other sessions', async () => {
    const { user, password } = await makeUser(db());
    const expires = new Date(Date.now() + 86_400_000);
    await db()
      .insertInto('sessions')
      .values([
        { id: 'keep-me', user_id: user.id, expires_at: expires },
        { id: 'end-me', user_id: user.id, expires_at: expires },
      ])
      .execute();
    await expect(
      changePassword(
        db(),
        { userId: user.id, email: user.email, current: 'not it at all', next: 'brand new password' },
        {},
        TEST_SCRYPT,
      ),
    ).rejects.toThrow(/Current password is wrong/);
    await changePassword(
      db(),
      {
        userId: user.id,
        email: user.email,
        current: password,
        next: 'brand new password',
        keepSessionId: 'keep-me',
      },
      {},
      TEST_SCRYPT,
    );
    const left = await db().selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    expect(left.map((s) => s.id)).toEqual(['keep-me']);
  });
});
