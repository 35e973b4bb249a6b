/**
 * Seeded randomness for the annotation domain. The generator lives in reward/ (models need it
 * too, and reward/ imports nothing from tasks/), so both share one implementation.
 */
export { createRng, shuffled, type Rng } from '../reward/rng';
