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

/** A refusal by the host: the JSON API answers {"error": "..."}, like its own errors; pages get text. */
function refuseRequest(req: Request, res: Response, status: number, message: string): void {
  if (req.path.startsWith('/api/')) res.status(status).json({ error: message });
  else res.status(status).type('text/plain').send(message);
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
    const refuse = (status: number, message: string) => refuseRequest(req, res, status, message);
    const length = Number(req.get('content-length') ?? 0);
    // file uploads have their own, larger limit; the upload handler enforces it while streaming
    const upload = UPLOAD_PATH.test(req.path);
    const limit = upload ? config.maxUploadBytes : config.maxBodyBytes;
    const setting = upload ? 'ARBITER_MAX_UPLOAD_BYTES' : 'ARBITER_MAX_BODY_BYTES';
    if (length > limit) {
      refuse(413, `Request body too large: ${length} bytes; the limit is ${limit} bytes (${setting}).`);
      return;
    }
    // a body without a length (chunked) was read whole before any limit applied (found by fuzzing:
    // 50 MB went through a 256 KiB limit); browsers always send a length, so ask for one
    if (req.get('transfer-encoding') !== undefined && req.get('content-length') === undefined) {
      refuse(411, `Send the body with a Content-Length header; the limit is ${limit} bytes (${setting}).`);
      return;
    }
    // a NUL names nothing (no slug, id, email or filter has one) and the database cannot take it as
    // a parameter: refused here once rather than as a driver error (a 500) in every lookup
    if (/%00/.test(req.originalUrl)) {
      refuse(400, 'The address contains a NUL character (%00); no page has one.');
      return;
    }
    if (isCrossOriginMutation(req, config)) {
      refuse(403, 'Cross-origin request refused: this form must be sent from Arbiter itself.');
      return;
    }
    next();
  });

  const publicDir = path.join(options.projectRoot, 'public');
  app.use('/build', express.static(path.join(publicDir, 'build'), { immutable: true, maxAge: '1y' }));
  // the other public files are few and named with an extension; trying the disk for every page and
  // data request cost a stat each (about 3% of the serving CPU under load, docs/benchmarks.md)
  const publicFiles = express.static(publicDir, { maxAge: '1h' });
  app.use((req: Request, res: Response, next: NextFunction) =>
    /\.[a-z0-9]+$/i.test(req.path) ? publicFiles(req, res, next) : next(),
  );

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
  // a path that is not valid percent-encoding (/invite/%zz) fails Express's own decoding of it: a
  // 400, as Express answers anyway, but without the stack trace its default handler logs each time
  // (found by fuzzing)
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof URIError) || res.headersSent) return next(error);
    refuseRequest(req, res, 400, 'The address is not valid percent-encoding.');
  });
  return app;
}
