import { createHash } from 'node:crypto';
import type { ChatMessage } from '../db/schema';
import { shuffled, type Rng } from './rng';

/**
 * Content hash used to detect duplicates: whitespace at the ends and line-ending style do not
 * make two texts different.
 */
export function contentHash(value: string | ChatMessage[]): string {
  const canonical =
    typeof value === 'string'
      ? normalizeText(value)
      : JSON.stringify(value.map((m) => [m.role, normalizeText(m.content)]));
  return createHash('sha256').update(canonical).digest('hex');
}

function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

/**
 * Candidate pairs among one prompt's responses: every unordered pair, in a canonical order
 * (smaller id first) so the same two responses can only ever form one pair. When there are more
 * than `cap`, a seeded sample is taken that covers every response whenever cap ≥ ⌈n/2⌉: the
 * shuffled responses are paired off first, then the rest is filled at random.
 */
export function candidatePairs(responseIds: readonly string[], cap: number, rng: Rng): [string, string][] {
  const ids = [...new Set(responseIds)].sort();
  const canonical = (a: string, b: string): [string, string] => (a < b ? [a, b] : [b, a]);
  const all: [string, string][] = [];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) all.push([ids[i]!, ids[j]!]);
  }
  if (all.length <= cap) return all;
  const order = shuffled(ids, rng);
  const cover: [string, string][] = [];
  for (let i = 0; i + 1 < order.length; i += 2) cover.push(canonical(order[i]!, order[i + 1]!));
  if (order.length % 2 === 1) cover.push(canonical(order[order.length - 1]!, order[0]!));
  const key = (p: [string, string]) => `${p[0]}\u0000${p[1]}`;
  const chosen = new Map(cover.slice(0, cap).map((p) => [key(p), p]));
  for (const pair of shuffled(all, rng)) {
    if (chosen.size >= cap) break;
    chosen.set(key(pair), pair);
  }
  return [...chosen.values()].sort((a, b) =>
    a[0] === b[0] ? a[1].localeCompare(b[1]) : a[0].localeCompare(b[0]),
  );
}

/** The last user turn of a conversation, shortened, for lists that name a pair by its question. */
export function promptExcerpt(messages: readonly ChatMessage[], length = 160): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') return messages[i]!.content.slice(0, length);
  }
  return '';
}
