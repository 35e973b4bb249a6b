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
 * than `cap`, a seeded sample keeps every response in at least one pair where possible.
 */
export function candidatePairs(responseIds: readonly string[], cap: number, rng: Rng): [string, string][] {
  const ids = [...new Set(responseIds)].sort();
  const all: [string, string][] = [];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) all.push([ids[i]!, ids[j]!]);
  }
  if (all.length <= cap) return all;
  const chosen: [string, string][] = [];
  const covered = new Set<string>();
  const rest: [string, string][] = [];
  for (const pair of shuffled(all, rng)) {
    if (chosen.length < cap && (!covered.has(pair[0]) || !covered.has(pair[1]))) {
      chosen.push(pair);
      covered.add(pair[0]).add(pair[1]);
    } else {
      rest.push(pair);
    }
  }
  return [...chosen, ...rest.slice(0, cap - chosen.length)].sort((a, b) => (a[0] + a[1]).localeCompare(b[0] + b[1]));
}
