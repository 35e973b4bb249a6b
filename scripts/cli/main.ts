import { Command, CommanderError } from 'commander';
import { registerServe } from './commands/serve';
import { registerDb } from './commands/db';
import { registerUser } from './commands/user';
import { registerDemo } from './commands/demo';
import { registerSession } from './commands/session';
import { registerImport } from './commands/import';
import { registerProject } from './commands/project';
import { registerReward } from './commands/reward';
import { registerSentiment } from './commands/sentiment';
import { registerSafety } from './commands/safety';
import { registerSimulate } from './commands/simulate';
import { registerQuality } from './commands/quality';
import { registerExport } from './commands/export';
import { registerCalibrate } from './commands/calibrate';
import { EXIT, reportError } from './runtime';

const program = new Command('arbiter')
  .description(
    'Arbiter: compare LLM responses, label sentiment, train reward models and classifiers, export datasets.',
  )
  .version('0.1.0')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

registerServe(program);
registerDb(program);
registerUser(program);
registerDemo(program);
registerSession(program);
registerImport(program);
registerProject(program);
registerReward(program);
registerSentiment(program);
registerSafety(program);
registerSimulate(program);
registerQuality(program);
registerExport(program);
registerCalibrate(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // help and version are "errors" to commander but successes to the user
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  } else {
    process.exitCode = reportError(error);
  }
}
