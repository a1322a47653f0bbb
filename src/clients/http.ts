import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { Transform, type Readable } from 'node:stream';
import axios, { type AxiosAdapter, type AxiosInstance } from 'axios';

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
export function createTextHttp(options: {
  timeoutMs: number;
  maxSockets: number;
  /** Which resolved addresses connections may use (see guardedLookup); default: any. */
  allowAddress?: (address: string) => boolean;
  /** Sends requests some other way than a socket (a VCS agent: agent-route.ts); default: node's http. */
  adapter?: AxiosAdapter;
}): TextHttp {
  const lookup = options.allowAddress === undefined ? undefined : guardedLookup(options.allowAddress);
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets, lookup });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: options.maxSockets, lookup });
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
    ...(options.adapter === undefined ? {} : { adapter: options.adapter }),
  });
  return {
    axios: instance,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A DNS lookup for sockets that drops the addresses `allowAddress` refuses, so a host name cannot lead a
 * connection somewhere an IP literal in its place would not be allowed to go (a name that resolves to 127.0.0.1).
 * When nothing is left the connection fails like an unresolvable name. Node skips lookups for IP literals; those
 * are checked before a client is made.
 */
function guardedLookup(allowAddress: (address: string) => boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, []);
      const allowed = addresses.filter((entry) => allowAddress(entry.address));
      if (allowed.length === 0) {
        const refused: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname} (no address it may connect to)`);
        refused.code = 'ENOTFOUND';
        return callback(refused, []);
      }
      if (options.all === true) return callback(null, allowed);
      const [first] = allowed as [LookupAddress];
      return callback(null, first.address, first.family);
    });
  };
}

/** Reads at most `limit` bytes of a stream as text, then drops the rest. */
export async function readCapped(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    chunks.push(buffer.subarray(0, Math.max(0, limit - size)));
    size += buffer.length;
    if (size >= limit) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Passes bytes through until more than `maxBytes` came, then fails with `tooLarge()`. */
export function byteLimit(maxBytes: number, tooLarge: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) return done(tooLarge());
      return done(null, chunk);
    },
  });
}
