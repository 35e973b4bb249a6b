import fs from 'node:fs';

/** Debian's Chromium (or ARBITER_CHROMIUM); null when none is installed. */
export function chromiumPath(): string | null {
  const candidates = [process.env.ARBITER_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => !!p,
  );
  return candidates.find((p) => fs.existsSync(p)) ?? null;
}
