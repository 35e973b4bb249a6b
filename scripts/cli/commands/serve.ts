import type { Command } from 'commander';
import { describeConfig } from '../../../app/utils/env.server';
import { isDatabaseEmpty } from '../../../tasks/demo';
import { startServer } from '../../server/start';
import { action, config } from '../runtime';
import { printDemoLogins, seedDemoData } from './demo';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Migrate the database and serve the web app (build it first: npm run build).')
    .option('--port <n>', 'port to listen on (default: PORT or 3000)')
    .option('--host <host>', 'address to bind (default: HOST or 127.0.0.1; 0.0.0.0 for the network)')
    .option('--demo-if-empty', 'seed the demo data when the database has no users and no projects')
    .option('--dev', 'development mode: reload the build when `remix dev` rebuilds it')
    .action(
      action(async (opts: { port?: string; host?: string; demoIfEmpty?: boolean; dev?: boolean }) => {
        const base = config();
        const cfg = {
          ...base,
          port: opts.port !== undefined ? Number(opts.port) : base.port,
          host: opts.host ?? base.host,
        };
        if (!Number.isInteger(cfg.port) || cfg.port < 0 || cfg.port > 65535) {
          throw new Error(`--port must be a number from 0 to 65535, not "${opts.port}".`);
        }
        let seeded: Awaited<ReturnType<typeof seedDemoData>> | undefined;
        const server = await startServer({
          config: cfg,
          dev: opts.dev,
          beforeListen: async ({ db }) => {
            if (opts.demoIfEmpty && (await isDatabaseEmpty(db))) seeded = await seedDemoData(db);
          },
        });
        const described = describeConfig(cfg);
        console.log(`Arbiter is running at ${server.url}  (database: ${described.database})`);
        if (seeded) printDemoLogins(seeded, server.url);
        else if (opts.demoIfEmpty) {
          console.log(
            'The database already has data, so no demo was seeded. Demo passwords were printed when it was.',
          );
        }
        console.log('Press Ctrl+C to stop.');
        const stop = async (signal: string) => {
          console.log(`\n${signal}: stopping…`);
          await server.close();
          process.exit(0);
        };
        process.once('SIGINT', () => void stop('SIGINT'));
        process.once('SIGTERM', () => void stop('SIGTERM'));
      }),
    );
}
