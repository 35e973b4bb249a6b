/**
 * An export of 200,000 judgments streams: the heap it adds stays far below what holding the rows
 * would take. (The 1,000,000-judgment figures, with the process's peak resident memory, come from
 * `npm run bench:export`.)
 */
import { expect, it } from 'vitest';
import { describeDb } from '../setup/db';
import { createProject } from '../../tasks/projects';
import { planPreferenceSeed, seedPreferences } from '../../scripts/bench/seed-preferences';
import { ExportFiltersSchema } from '../../tasks/export/filters';
import { writeExport } from '../../tasks/export/write';

describeDb('exporting 200,000 judgments', ({ db }) => {
  it('streams them in bounded memory, every judgment once', async () => {
    const project = await createProject(
      db(),
      { slug: `mem-${Date.now()}`, name: 'Memory', type: 'preference' },
      {},
    );
    await seedPreferences(db(), project.id, planPreferenceSeed({ annotators: 40, judgments: 200_000 }), {
      flagShare: 0.01,
      editShare: 0.02,
    });
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 10);
    let lines = 0;
    try {
      const summary = await writeExport(
        db(),
        {
          projectId: project.id,
          projectType: 'preference',
          format: 'judgments',
          filters: ExportFiltersSchema.parse({ excludeRepeats: false }),
        },
        (chunk) => {
          for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
        },
      );
      expect(summary.rows).toBe(200_000);
    } finally {
      clearInterval(timer);
    }
    expect(lines).toBe(200_000);
    // the rows alone, held at once, would be several hundred MB of heap
    const addedMb = (peak - before) / 1024 / 1024;
    expect(addedMb).toBeLessThan(150);
  }, 240_000);
});
