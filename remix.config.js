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
};
