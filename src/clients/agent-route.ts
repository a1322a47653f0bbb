import type { Readable } from 'node:stream';
import { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { readCapped } from './http';

/** One request for a `private://<pool>` host, as the control plane hands it to a connected VCS agent. */
export interface AgentRequest {
  method: string;
  /** Path below the agent's Bitbucket base URL, with the query. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Until Bitbucket starts answering; then the body may take as long as the reader needs. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Bitbucket's answer through the agent: the body arrives as a stream paced by its reader. */
export interface AgentResponse {
  status: number;
  headers: Record<string, string[]>;
  body: Readable;
}

/**
 * Carries requests to the VCS agents of a pool (the control plane's agent gateway). It rejects with an
 * AgentRouteError when no agent of the pool is connected, the agent refused the request, or the agent went away.
 */
export interface AgentRoute {
  request(pool: string, request: AgentRequest): Promise<AgentResponse>;
}

/** Why a request through an agent got no answer from Bitbucket; `code` becomes the client error's networkCode. */
export class AgentRouteError extends Error {
  constructor(
    message: string,
    readonly code: 'ENOAGENT' | 'EAGENTREFUSED' | 'EAGENTLOST' | 'EAGENTUPSTREAM' | 'ETIMEDOUT',
  ) {
    super(message);
    this.name = 'AgentRouteError';
  }
}

/**
 * An axios adapter that sends `private://<pool>/path` requests through `route` instead of a socket, so the
 * transport's retries, error kinds, JSON parsing and streaming caps apply unchanged to calls through an agent.
 */
export function agentAdapter(route: AgentRoute): AxiosAdapter {
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const url = new URL(config.url as string);
    if (url.protocol !== 'private:') throw new AxiosError(`not a private:// URL: ${url.protocol}`, 'ERR_INVALID_URL', config);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(AxiosHeaders.from(config.headers).toJSON())) {
      if (typeof value === 'string') headers[name] = value;
    }
    let response: AgentResponse;
    try {
      response = await route.request(url.host, {
        method: (config.method ?? 'get').toUpperCase(),
        path: `${url.pathname}${url.search}`,
        headers,
        body: typeof config.data === 'string' ? config.data : undefined,
        timeoutMs: config.timeout ?? 30_000,
        signal: config.signal as AbortSignal | undefined,
      });
    } catch (error) {
      if (error instanceof AgentRouteError) throw new AxiosError(error.message, error.code, config);
      if (config.signal?.aborted === true) throw new AxiosError('canceled', 'ERR_CANCELED', config);
      throw error;
    }
    const answerHeaders = new AxiosHeaders();
    for (const [name, values] of Object.entries(response.headers)) answerHeaders.set(name, values.length === 1 ? values[0] : values);
    let data: unknown = response.body;
    if (config.responseType !== 'stream') {
      const limit = config.maxContentLength !== undefined && config.maxContentLength > 0 ? config.maxContentLength : Number.MAX_SAFE_INTEGER;
      const text = await readCapped(response.body, limit + 1);
      if (Buffer.byteLength(text) > limit) throw new AxiosError(`maxContentLength size of ${limit} exceeded`, 'ERR_BAD_RESPONSE', config);
      data = text;
    }
    return { data, status: response.status, statusText: '', headers: answerHeaders, config, request: undefined };
  };
}

/** Whether a base URL names a VCS agent pool rather than a host. */
export function isAgentBaseUrl(baseUrl: string): boolean {
  return /^private:\/\//i.test(baseUrl);
}
