#!/usr/bin/env node
// The `arbiter` command. The CLI is TypeScript; tsx compiles it on the fly so there is no
// separate build step for it (the web app has its own build: `npm run build`).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
