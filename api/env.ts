/**
 * The Hono environment of the app: typed context variables set once by middleware
 * (`c.get('log')`, `c.get('auth')`) and the Node bindings of @hono/node-server.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestIdVariables } from 'hono/request-id';
import type { Role } from '../src/auth/claims';
import type { Logger } from '../src/logger';

export interface AuthContext {
  userId: string;
  role: Role;
  /** The access token's jti, for logs and audit. */
  tokenId: string;
}

export interface AppEnv {
  /** Absent when the app is called in-process (`app.request()` in tests). */
  Bindings: { incoming?: IncomingMessage };
  Variables: RequestIdVariables & {
    /** The request's child logger: every line carries the request id. */
    log: Logger;
    /** Set by `requireAuth`, absent on public routes. */
    auth?: AuthContext;
  };
}

/** The environment of routes behind `requireAuth`: `c.get('auth')` is always there. */
export interface AuthedEnv {
  Variables: { auth: AuthContext };
}

/** Admin and system callers see and act on every order; users only on their own. */
export function isPrivileged(auth: AuthContext): boolean {
  return auth.role === 'admin' || auth.role === 'system';
}
