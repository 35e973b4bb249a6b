// Entry of the training helper thread. On Node 20 a worker thread does not inherit the module
// hooks of the thread that started it, so register tsx, then load the TypeScript helper (see
// docs/decisions/005).
import { register } from 'tsx/esm/api';

register();
await import('./helper-worker.ts');
