// Entry of the model training worker thread. On Node 20 a worker thread does not inherit the
// module hooks of the thread that started it, so the tsx loader the server (and vitest) run under
// is not there: register it, then load the TypeScript worker (see docs/decisions/005).
import { register } from 'tsx/esm/api';

register();
await import('./training-worker.ts');
