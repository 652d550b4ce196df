import { type Request, type Response, Router } from 'express';
import type { z } from 'zod';
import type { Actor } from '../core/actor';
import { UnauthenticatedError } from '../core/errors';
import { validate } from './validate';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType> {
  summary: string;
  tag: string;
  body?: B;
  query?: Q;
  /** Documents a multipart upload field (the handler parses the stream itself). */
  multipartField?: string;
  /** Documents the success response: a zod schema, or a media type for downloads. */
  response?: z.ZodType | { contentType: string };
  status?: number;
  /** Routes are authenticated unless this says otherwise. */
  anonymous?: boolean;
}

export interface RouteInput<B extends z.ZodType, Q extends z.ZodType> {
  body: z.infer<B>;
  query: z.infer<Q>;
  /** A path parameter declared in the route's path (Express guarantees it is present). */
  param: (name: string) => string;
  actor: Actor;
}

export interface RouteDoc {
  method: Method;
  path: string;
  spec: RouteSpec<z.ZodType, z.ZodType>;
}

type Handler<B extends z.ZodType, Q extends z.ZodType> = (
  req: Request,
  res: Response,
  input: RouteInput<B, Q>,
) => Promise<void> | void;

/**
 * An Express router whose routes declare their schemas once: the same declaration validates the
 * request and documents it in /openapi.json.
 */
export class ApiRouter {
  readonly router = Router();
  readonly docs: RouteDoc[] = [];

  get<B extends z.ZodType, Q extends z.ZodType>(path: string, spec: RouteSpec<B, Q>, handler: Handler<B, Q>): void {
    this.add('get', path, spec, handler);
  }
  post<B extends z.ZodType, Q extends z.ZodType>(path: string, spec: RouteSpec<B, Q>, handler: Handler<B, Q>): void {
    this.add('post', path, spec, handler);
  }
  put<B extends z.ZodType, Q extends z.ZodType>(path: string, spec: RouteSpec<B, Q>, handler: Handler<B, Q>): void {
    this.add('put', path, spec, handler);
  }
  patch<B extends z.ZodType, Q extends z.ZodType>(path: string, spec: RouteSpec<B, Q>, handler: Handler<B, Q>): void {
    this.add('patch', path, spec, handler);
  }
  delete<B extends z.ZodType, Q extends z.ZodType>(path: string, spec: RouteSpec<B, Q>, handler: Handler<B, Q>): void {
    this.add('delete', path, spec, handler);
  }

  private add<B extends z.ZodType, Q extends z.ZodType>(
    method: Method,
    path: string,
    spec: RouteSpec<B, Q>,
    handler: Handler<B, Q>,
  ): void {
    this.docs.push({ method, path, spec });
    this.router[method](path, async (req: Request, res: Response) => {
      if (!spec.anonymous && !req.actor) throw new UnauthenticatedError();
      const input: RouteInput<B, Q> = {
        // Without a schema the route declared no body or query and never reads it.
        body: (spec.body ? validate(spec.body, req.body ?? {}, req.lang) : undefined) as z.infer<B>,
        query: (spec.query ? validate(spec.query, req.query, req.lang) : undefined) as z.infer<Q>,
        param: (name) => String((req.params as Record<string, string | undefined>)[name] ?? ''),
        // Anonymous routes never read the actor; authenticated ones were checked above.
        actor: req.actor as Actor,
      };
      await handler(req, res, input);
    });
  }
}
