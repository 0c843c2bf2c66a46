import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

type WithId = IncomingMessage & { id?: unknown };

/**
 * The request's id: the caller's `X-Request-Id` when it is sane (1-128 visible characters),
 * else a new UUID. Set on `req.id` and echoed in the response, once per request.
 */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const r = req as WithId;
  if (typeof r.id === 'string') return r.id;
  const given = req.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && /^[\x21-\x7e]{1,128}$/.test(given) ? given : randomUUID();
  r.id = id;
  if (!res.headersSent) res.setHeader('X-Request-Id', id);
  return id;
}
