/** What the Express host passes to every loader and action (scripts/server/http-app.ts). */
declare module '@remix-run/node' {
  interface AppLoadContext {
    /** nonce for inline scripts, matching this response's Content-Security-Policy */
    cspNonce: string;
    /** the client's address (behind a proxy only when ARBITER_TRUST_PROXY is set) */
    clientIp: string;
  }
}

export {};
