/**
 * The demo's judgment history: a three-person panel has already judged every demo pair once or
 * twice, so a fresh demo has agreement figures to look at and enough decided judgments to train a
 * reward model from the Models screen. The panel follows a ranking of each prompt's replies written
 * by reading them against the demo guidelines (correct beats confident-and-wrong, a short correct
 * answer beats a padded one, harmful compliance loses on both axes), with seeded human noise.
 */
import type { Rng } from './rng';

export interface DemoRanking {
  /** the start of the conversation's first user message */
  prompt: string;
  /** model names, best reply first */
  ranking: string[];
  /** replies that would cause real harm (they lose on safety) */
  harmful?: string[];
}

export const DEMO_RANKINGS: readonly DemoRanking[] = [
  { prompt: 'Explain compound interest', ranking: ['cedar-70b', 'dune-mini', 'atlas-7b'] },
  {
    prompt: 'Is it safe to take ibuprofen',
    ranking: ['cedar-70b', 'birch-13b', 'dune-mini'],
    harmful: ['dune-mini'],
  },
  {
    prompt: 'My blood test says HbA1c',
    ranking: ['birch-13b', 'dune-mini', 'atlas-7b'],
    harmful: ['atlas-7b'],
  },
  {
    prompt: 'How many of my sleeping pills',
    ranking: ['birch-13b', 'dune-mini', 'atlas-7b'],
    harmful: ['atlas-7b'],
  },
  { prompt: 'Write a typed debounce', ranking: ['atlas-7b', 'birch-13b'] },
  { prompt: 'How do I solve 3x + 7 = 22?', ranking: ['atlas-7b', 'birch-13b', 'dune-mini'] },
  {
    prompt: "What's the cleanest way to remove duplicates",
    ranking: ['cedar-70b', 'birch-13b', 'dune-mini', 'atlas-7b'],
  },
  {
    prompt: 'I need a cron job that deletes',
    ranking: ['dune-mini', 'cedar-70b', 'atlas-7b'],
    harmful: ['atlas-7b'],
  },
  { prompt: 'I have $6,000 on a credit card', ranking: ['atlas-7b', 'dune-mini', 'birch-13b'] },
  { prompt: 'I have a pandas DataFrame', ranking: ['birch-13b', 'dune-mini', 'atlas-7b'] },
  { prompt: "Peux-tu m'expliquer simplement", ranking: ['birch-13b', 'atlas-7b'] },
  { prompt: 'The leaves on my tomato plants', ranking: ['birch-13b', 'dune-mini', 'cedar-70b'] },
  {
    prompt: 'Give me a step-by-step recipe to cook',
    ranking: ['cedar-70b', 'atlas-7b', 'birch-13b'],
    harmful: ['birch-13b'],
  },
  { prompt: 'A bat and a ball cost', ranking: ['birch-13b', 'dune-mini', 'cedar-70b', 'atlas-7b'] },
  { prompt: 'My ex-coworker Dana', ranking: ['birch-13b', 'dune-mini'], harmful: ['dune-mini'] },
  { prompt: 'Write a short email to a customer', ranking: ['dune-mini', 'atlas-7b', 'birch-13b'] },
  { prompt: "I'm planning 3 days in Lisbon", ranking: ['cedar-70b', 'dune-mini', 'atlas-7b'] },
  { prompt: 'I rolled my ankle', ranking: ['atlas-7b', 'birch-13b'], harmful: ['birch-13b'] },
  { prompt: 'I want to learn Spanish', ranking: ['cedar-70b', 'atlas-7b'] },
  { prompt: 'Can you help me write a cover letter', ranking: ['atlas-7b', 'birch-13b'] },
  { prompt: 'I moved out of my apartment', ranking: ['birch-13b', 'cedar-70b', 'atlas-7b'] },
  { prompt: 'Can my employer read my private DMs', ranking: ['dune-mini', 'cedar-70b', 'birch-13b'] },
  { prompt: "What's the difference between a will", ranking: ['cedar-70b', 'atlas-7b'] },
  { prompt: 'What is XSS', ranking: ['birch-13b', 'dune-mini', 'atlas-7b'] },
  { prompt: 'Why does my binary search hang', ranking: ['dune-mini', 'birch-13b'] },
  { prompt: 'Wie formuliere ich eine höfliche E-Mail', ranking: ['atlas-7b', 'birch-13b'] },
  { prompt: "What's the Monty Hall problem?", ranking: ['dune-mini', 'cedar-70b', 'atlas-7b'] },
  {
    prompt: 'There\'s a streamer called "mossy_fern_92"',
    ranking: ['atlas-7b', 'dune-mini', 'cedar-70b'],
    harmful: ['cedar-70b'],
  },
  { prompt: '¿Qué consejos me das', ranking: ['dune-mini', 'cedar-70b'] },
  { prompt: 'Warum ist der Himmel blau?', ranking: ['dune-mini', 'cedar-70b', 'atlas-7b'] },
  {
    prompt: 'I make about $30k a year in cash',
    ranking: ['atlas-7b', 'birch-13b', 'dune-mini'],
    harmful: ['dune-mini'],
  },
  { prompt: 'Why does this function log "done"', ranking: ['cedar-70b', 'dune-mini', 'atlas-7b'] },
  { prompt: 'Give me a simple pancake recipe.', ranking: ['birch-13b', 'dune-mini', 'cedar-70b'] },
  { prompt: 'Why do we have leap years', ranking: ['cedar-70b', 'birch-13b', 'dune-mini'] },
  { prompt: 'Donne-moi trois idées de dîners', ranking: ['cedar-70b', 'dune-mini', 'atlas-7b'] },
  { prompt: 'How can I tell if I have a cold', ranking: ['atlas-7b', 'dune-mini', 'birch-13b'] },
  { prompt: 'I have an `orders` table', ranking: ['cedar-70b', 'dune-mini', 'birch-13b'] },
  {
    prompt: 'My neighbor is away for two weeks',
    ranking: ['cedar-70b', 'dune-mini', 'atlas-7b'],
    harmful: ['atlas-7b'],
  },
  {
    prompt: 'My 3-year-old has a fever',
    ranking: ['birch-13b', 'dune-mini', 'atlas-7b'],
    harmful: ['atlas-7b'],
  },
  { prompt: 'Write a haiku about a lighthouse', ranking: ['dune-mini', 'cedar-70b', 'atlas-7b'] },
];

/** The ranking of a demo conversation, found by its first user message. */
export function demoRankingFor(messages: readonly { role: string; content: string }[]): DemoRanking | null {
  const first = messages.find((m) => m.role === 'user')?.content ?? '';
  return DEMO_RANKINGS.find((r) => first.startsWith(r.prompt)) ?? null;
}

/** The panel: how often each member picks the worse reply by mistake. */
export const DEMO_PANEL = [
  { email: 'panel1@example.org', name: 'Panel: Mira (careful)', slip: 0.04 },
  { email: 'panel2@example.org', name: 'Panel: Tomás', slip: 0.1 },
  { email: 'panel3@example.org', name: 'Panel: Kenji (hurried)', slip: 0.2 },
] as const;

/**
 * One panel member's scores for the pair (A, B) in canonical order (negative favours A), on the
 * 7-point scale. The further apart the replies rank, the surer and stronger the judgment.
 */
export function panelScores(
  ranking: DemoRanking,
  modelA: string,
  modelB: string,
  slip: number,
  rng: Rng,
): { helpfulness: number; safety: number } {
  const rankA = ranking.ranking.indexOf(modelA);
  const rankB = ranking.ranking.indexOf(modelB);
  const gap = Math.abs(rankA - rankB);
  const towardA = rankA < rankB ? -1 : 1;
  let helpfulness: number;
  const r = rng();
  const tieRate = gap === 1 ? 0.1 : 0.02;
  if (r < slip) helpfulness = -towardA * (rng() < 0.8 ? 1 : 2);
  else if (r < slip + tieRate) helpfulness = 0;
  else if (gap === 1) helpfulness = towardA * (rng() < 0.6 ? 1 : 2);
  else if (gap === 2) helpfulness = towardA * (rng() < 0.5 ? 2 : 3);
  else helpfulness = towardA * 3;

  const harmfulA = ranking.harmful?.includes(modelA) ?? false;
  const harmfulB = ranking.harmful?.includes(modelB) ?? false;
  let safety = 0;
  if (harmfulA !== harmfulB && rng() >= slip / 2) safety = (harmfulA ? 1 : -1) * (rng() < 0.7 ? 3 : 2);
  return { helpfulness, safety };
}
