/**
 * Remix v2 with the classic (esbuild) compiler, as the design card fixes.
 * Server dependencies stay external (serverDependenciesToBundle is left empty) so PGlite's
 * WebAssembly, pg and, later, onnxruntime-node load from node_modules at run time.
 * @type {import('@remix-run/dev').AppConfig}
 */
export default {
  ignoredRouteFiles: ['**/.*', '**/*.test.{ts,tsx}'],
  serverModuleFormat: 'esm',
  serverPlatform: 'node',
  browserNodeBuiltinsPolyfill: { modules: {} },
  // Opt into React Router v7 behaviour early. Single fetch stays off: it changes how loaders
  // serialise data (json() → turbo-stream), a migration of its own.
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
  },
};
