import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';

/** An axios instance set up the way both API clients use it, and how to release its sockets. */
export interface TextHttp {
  readonly axios: AxiosInstance;
  /** Closes idle keep-alive sockets so a process using the client can exit promptly. */
  close(): void;
}

/**
 * axios for a JSON API whose client does its own status handling and parsing: keep-alive sockets (at most
 * `maxSockets` per host: opening a connection per call would cost more than everything else the client
 * does), no redirects (neither Bitbucket's REST API nor the control plane redirects; without them axios
 * uses node's http directly), no proxy from HTTP(S)_PROXY (like Node's own fetch: axios would re-read and
 * match the environment on every request, and both servers are reached on the internal network), every
 * status a value and every body text.
 */
export function createTextHttp(options: { timeoutMs: number; maxSockets: number }): TextHttp {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const instance = axios.create({
    timeout: options.timeoutMs,
    httpAgent,
    httpsAgent,
    maxRedirects: 0,
    proxy: false,
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    transitional: { clarifyTimeoutError: true, silentJSONParsing: false, forcedJSONParsing: false },
  });
  return {
    axios: instance,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
