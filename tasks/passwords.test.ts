import { describe, expect, it } from 'vitest';
import { hashPassword, passwordWeakness, TEST_SCRYPT, verifyPassword } from './passwords';

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('correct horse battery', TEST_SCRYPT);
    expect(hash.startsWith('scrypt$10$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same password 1', TEST_SCRYPT),
      hashPassword('same password 1', TEST_SCRYPT),
    ]);
    expect(a).not.toBe(b);
  });

  it('treats malformed stored hashes as a failed check, never a crash', async () => {
    for (const stored of ['', 'plain', 'scrypt$x$8$1$aa$bb', 'bcrypt$1$2$3$4$5', 'scrypt$40$8$1$AAAA$AAAA']) {
      expect(await verifyPassword('anything at all', stored)).toBe(false);
    }
  });

  it('normalizes Unicode so the same visible password matches', async () => {
    const hash = await hashPassword('caf\u00e9 au lait!', TEST_SCRYPT);
    expect(await verifyPassword('cafe\u0301 au lait!', hash)).toBe(true);
  });
});

describe('password policy', () => {
  it.each([
    ['short', /at least 10/],
    ['aaaaaaaaaaaa', /too few different/],
    ['password123', /too common/],
    ['alice-secret-9', /email name/],
  ])('rejects %s', (password, reason) => {
    expect(passwordWeakness(password, 'alice@example.org')).toMatch(reason);
  });

  it('accepts a reasonable passphrase', () => {
    expect(passwordWeakness('correct horse battery', 'alice@example.org')).toBeNull();
  });
});
