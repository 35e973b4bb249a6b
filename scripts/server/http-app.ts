/**
 * The Express host around the Remix build. Cross-cutting HTTP policy lives here, once, for every
 * route: security headers with a per-request CSP nonce, early refusal of oversized bodies, and
 * refusal of cross-origin mutations.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import type { AppConfig } from '../../app/utils/env.server';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** routes that accept file uploads (larger body limit) */
const UPLOAD_PATH = /^\/projects\/[a-z0-9-]+\/import$|^\/review\/labels$/;

export interface HttpAppOptions {
  /** the server build, or a function returning the current one (dev rebuilds) */
  build: ServerBuild | (() => Promise<ServerBuild>);
  config: AppConfig;
  projectRoot: string;
  mode: 'production' | 'development';
}

/** The origin a same-site request carries: the configured public URL, else this request's own host. */
export function expectedOrigin(req: Request, config: AppConfig): string {
  if (config.publicUrl) return new URL(config.publicUrl).origin;
  return `${req.protocol}://${req.get('host')}`;
}

/**
 * Rejects state-changing requests that a browser marks as coming from another site. Requests with
 * neither Origin nor Sec-Fetch-Site come from non-browser clients (curl, API scripts), which carry
 * no ambient cookies and so cannot be forged cross-site.
 */
export function isCrossOriginMutation(req: Request, config: AppConfig): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  const origin = req.get('origin');
  if (origin && origin !== 'null') return origin !== expectedOrigin(req, config);
  if (origin === 'null') return true;
  const site = req.get('sec-fetch-site');
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

function contentSecurityPolicy(nonce: string, mode: HttpAppOptions['mode']): string {
  const dev = mode === 'development';
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? ' ws: http://localhost:*' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function createHttpApp(options: HttpAppOptions): express.Express {
  const { config } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const nonce = randomBytes(16).toString('base64');
    res.locals.cspNonce = nonce;
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(nonce, options.mode));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (config.cookieSecure) res.setHeader('Strict-Transport-Security', 'max-age=15552000');
    next();
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    const length = Number(req.get('content-length') ?? 0);
    // file uploads have their own, larger limit; the upload handler enforces it while streaming
    const limit = UPLOAD_PATH.test(req.path) ? config.maxUploadBytes : config.maxBodyBytes;
    if (length > limit) {
      res
        .status(413)
        .type('text/plain')
        .send(
          `Request body too large: ${length} bytes; the limit is ${config.maxBodyBytes} bytes (ARBITER_MAX_BODY_BYTES).`,
        );
      return;
    }
    if (isCrossOriginMutation(req, config)) {
      res
        .status(403)
        .type('text/plain')
        .send('Cross-origin request refused: this form must be sent from Arbiter itself.');
      return;
    }
    next();
  });

  const publicDir = path.join(options.projectRoot, 'public');
  app.use('/build', express.static(path.join(publicDir, 'build'), { immutable: true, maxAge: '1y' }));
  app.use(express.static(publicDir, { maxAge: '1h' }));

  app.all(
    '*',
    createRequestHandler({
      build: options.build,
      mode: options.mode,
      getLoadContext: (req, res) => ({
        cspNonce: res.locals.cspNonce as string,
        clientIp: req.ip ?? 'unknown',
      }),
    }),
  );
  return app;
}
