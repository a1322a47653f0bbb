import http from 'node:http';
import https from 'node:https';
import { hostname } from 'node:os';
import { rootCertificates } from 'node:tls';
import WebSocket from 'ws';
import { AGENT_CONNECT_PATH, downFrameSchema, MAX_FRAME_BYTES, parseFrame } from '../domain/vcs-agent-protocol';
import { forward, type AgentLog, type InFlight } from './forward';
import { Uplink } from './uplink';

export interface AgentOptions {
  /** The control plane's URL (http(s)://…); the agent dials `AGENT_CONNECT_PATH` below it over ws(s). */
  endpoint: URL;
  /** The pool token, sent in the upgrade's Authorization header. */
  token: string;
  /** Bitbucket's base URL inside the private network. */
  target: URL;
  /** WebSocket connections kept open at once (Spacelift's --parallelism). @default 4 */
  parallelism?: number;
  /** PEM of a private CA that Bitbucket's certificate chains to (--ca-cert), trusted beside the usual roots. */
  ca?: string;
  /** --allowed-projects, matched against `PROJECT/repo`. */
  allowedProjects?: RegExp;
  log: AgentLog;
  /** Requests carried at once on one connection; more get an `overloaded` error the control plane retries. @default 32 */
  maxInFlight?: number;
  /** Reconnect back-off: first ceiling and cap, in ms (full jitter, doubling). @default 1000 and 60000 */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Without a ping from the control plane for this long, the connection is presumed dead. @default 45000 */
  silenceMs?: number;
}

/** The agent's process: stop() closes every connection; `finished` settles when it has stopped (or failed for good). */
export interface RunningAgent {
  stop(): void;
  /** Resolves when stopped; rejects when the control plane refused the token (fatal: no retry helps). */
  finished: Promise<void>;
}

/** A connection is healthy, and the back-off starts over, once it stayed up this long (cloudflared's grace period). */
const HEALTHY_AFTER_MS = 10_000;

/** Full-jitter exponential back-off: a random wait below min(cap, base·2^attempt). */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30)));
}

/**
 * `liftgate vcs-agent` (SPEC §9): keeps `parallelism` WebSockets open to the control plane, each carrying requests
 * multiplexed by id to Bitbucket at `target`, and reconnects each with jittered back-off. It holds no Bitbucket
 * credentials: they come with each request and are never logged.
 */
export function startAgent(options: AgentOptions): RunningAgent {
  const parallelism = options.parallelism ?? 4;
  const upstream =
    options.target.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, maxSockets: parallelism * 8, ca: options.ca === undefined ? undefined : [...rootCertificates, options.ca] })
      : new http.Agent({ keepAlive: true, maxSockets: parallelism * 8 });
  const sockets = new Set<WebSocket>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let settle: { resolve(): void; reject(error: Error): void } = { resolve: () => undefined, reject: () => undefined };
  const finished = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const stop = (error?: Error) => {
    if (stopped) return;
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
    for (const socket of sockets) socket.close(1000, 'agent stopping');
    upstream.destroy();
    if (error === undefined) settle.resolve();
    else settle.reject(error);
  };
  const url = new URL(`${options.endpoint.pathname.replace(/\/+$/, '')}${AGENT_CONNECT_PATH}`, options.endpoint);
  url.protocol = options.endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

  const connect = (slot: number, attempt: number): void => {
    if (stopped) return;
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${options.token}`, 'x-liftgate-agent': `${hostname()}#${slot}` },
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
      // An all-zero masking key: ws then neither masks here nor unmasks at the control plane, byte by byte in
      // JavaScript (no native addons), which otherwise caps archive throughput far below the network's. Masking keeps
      // a browser page's chosen bytes from confusing plaintext proxies (RFC 6455 §10.3); the agent is no browser, and
      // in production it speaks wss://, which no intermediary reads.
      generateMask: (mask: Buffer) => mask.fill(0),
      handshakeTimeout: 15_000,
    });
    sockets.add(socket);
    const uplink = new Uplink(socket);
    let openedAt = 0;
    let silence: NodeJS.Timeout | undefined;
    const heartbeat = () => {
      clearTimeout(silence);
      silence = setTimeout(() => socket.terminate(), options.silenceMs ?? 45_000);
    };
    const inFlight = new Map<number, InFlight>();
    socket.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      socket.terminate();
      if (status === 401) {
        options.log('error', 'the control plane refused the pool token (401): the pool was deleted or the token is wrong', { status });
        stop(new Error('the control plane refused the pool token (401): the pool was deleted or the token is wrong'));
      } else options.log('warn', 'the control plane refused the connection', { status });
    });
    socket.on('open', () => {
      openedAt = Date.now();
      heartbeat();
      options.log('info', 'connected', { endpoint: options.endpoint.origin, slot });
    });
    socket.on('ping', heartbeat);
    socket.on('message', (data, isBinary) => {
      const frame = isBinary ? null : parseFrame(downFrameSchema, String(data));
      if (frame === null) {
        options.log('warn', 'ignored a frame that is not one of http, ack, cancel', { slot });
        return;
      }
      if (frame.type === 'ack') return inFlight.get(frame.id)?.ack(frame.bytes);
      if (frame.type === 'cancel') return inFlight.get(frame.id)?.cancel();
      if (inFlight.size >= (options.maxInFlight ?? 32)) {
        return uplink.send({ type: 'error', id: frame.id, code: 'overloaded', message: `the agent already carries ${inFlight.size} requests on this connection` });
      }
      inFlight.set(frame.id, forward(uplink, frame, { target: options.target, agent: upstream, allowedProjects: options.allowedProjects, log: options.log }, () => inFlight.delete(frame.id)));
      return undefined;
    });
    socket.on('error', (error) => options.log('warn', 'connection error', { slot, reason: error.message }));
    socket.on('close', (code) => {
      clearTimeout(silence);
      sockets.delete(socket);
      for (const request of inFlight.values()) request.cancel();
      if (stopped) return;
      if (code === 4001) {
        stop(new Error('the VCS agent pool was deleted; its token no longer works'));
        return;
      }
      const healthy = openedAt !== 0 && Date.now() - openedAt >= HEALTHY_AFTER_MS;
      const next = healthy ? 0 : attempt + 1;
      const delay = backoffDelayMs(next, options.backoffBaseMs ?? 1000, options.backoffMaxMs ?? 60_000);
      options.log('info', 'disconnected; reconnecting', { slot, code, delayMs: delay });
      const timer = setTimeout(() => {
        timers.delete(timer);
        connect(slot, next);
      }, delay);
      timers.add(timer);
    });
  };
  for (let slot = 0; slot < parallelism; slot += 1) connect(slot, 0);
  return { stop: () => stop(), finished };
}
