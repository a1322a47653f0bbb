import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errors } from '../errors';
import type { Principal } from '../model';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/** Bitbucket answers JSON with this exact content type. */
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(JSON_CONTENT_TYPE).send(JSON.stringify(body));
}

export function sendNoContent(reply: FastifyReply, status = 204): FastifyReply {
  return reply.code(status).send();
}

export type Query = Record<string, string | string[] | undefined>;

export function query(request: FastifyRequest): Query {
  return (request.query ?? {}) as Query;
}

/** The last value of a query parameter (Bitbucket ignores repeats of single-valued parameters). */
export function single(q: Query, name: string): string | undefined {
  const value = q[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Every value of a repeatable query parameter. */
export function many(q: Query, name: string): string[] {
  const value = q[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function booleanParam(q: Query, name: string, fallback: boolean): boolean {
  const value = single(q, name);
  if (value === undefined || value === '') return fallback;
  if (value.toLowerCase() === 'true') return true;
  if (value.toLowerCase() === 'false') return false;
  throw errors.badRequest(`The query parameter ${name} must be true or false, got "${value}".`);
}

const DEFAULT_PAGE_SIZE = 25;
/** Bitbucket's default page.max.size caps `limit` at 1000. */
const MAX_PAGE_SIZE = 1000;

function nonNegativeInteger(q: Query, name: string): number | undefined {
  const value = single(q, name);
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw errors.badRequest(`The query parameter ${name} must be a non-negative integer, got "${value}".`);
  return Number(value);
}

/** Bitbucket's paged response over `start`/`limit`: `nextPageStart` only when more follow. */
export function page<T, R>(items: readonly T[], q: Query, map: (item: T) => R) {
  const start = nonNegativeInteger(q, 'start') ?? 0;
  const requested = nonNegativeInteger(q, 'limit');
  const limit = requested === undefined || requested === 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
  const values = items.slice(start, start + limit).map(map);
  const isLastPage = start + values.length >= items.length;
  return {
    size: values.length,
    limit,
    isLastPage,
    values,
    start,
    ...(isLastPage ? {} : { nextPageStart: start + values.length }),
  };
}

/** Parses a body with zod, turning the first problem into Bitbucket's 400 naming the field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  if (body === undefined) throw errors.badRequest(`A JSON body describing the ${what} is required.`);
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  const message = issue.code === 'unrecognized_keys' ? unknownFieldsMessage(issue.keys, schema) : issue.message;
  throw errors.invalid(field === '' ? `Invalid ${what}: ${message}` : `Invalid ${what}: ${field}: ${message}`, field || null);
}

/** `unknown field "x" (known: a, b)`, naming the fields of the object schema when there is one. */
function unknownFieldsMessage(keys: readonly string[], schema: z.ZodType): string {
  const object = schema instanceof z.ZodOptional || schema instanceof z.ZodNullable ? schema.unwrap() : schema;
  const inner = object instanceof z.ZodOptional || object instanceof z.ZodNullable ? object.unwrap() : object;
  const known = inner instanceof z.ZodObject ? ` (known: ${Object.keys(inner.shape).join(', ')})` : '';
  return `unknown field${keys.length === 1 ? '' : 's'} ${keys.map((key) => JSON.stringify(key)).join(', ')}${known}`;
}
