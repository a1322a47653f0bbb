import http from 'node:http';
import https from 'node:https';
import { checkAgentRequest } from '../domain/vcs-agent-allowlist';
import { BODY_CHUNK_BYTES, bodyFrameHeader, INLINE_BODY_BYTES, type HttpFrame } from '../domain/vcs-agent-protocol';
import type { Uplink } from './uplink';

/** What the agent forwards to, and what it lets through. */
export interface ForwardOptions {
  /** Bitbucket's base URL inside the private network (--target), without a trailing slash. */
  target: URL;
  /** Keep-alive sockets to Bitbucket, with --ca-cert when given. */
  agent: http.Agent;
  /** `--allowed-projects`: a request naming a project and repository must match it as `PROJECT/repo`. */
  allowedProjects?: RegExp;
  log: AgentLog;
}

/** One JSON line per event; never a header, body or query value. */
export type AgentLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** Headers that belong to one hop (or that the agent sets itself) and are not passed on. */
const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'content-length']);

/**
 * Bytes of a body whose send callbacks have not fired before reading from Bitbucket pauses (ws #1620). Above what
 * one turn of the event loop reads and holds for the uplink (32 reads of 64 KiB): a lower cap would pause and
 * resume the response in every turn. The window still bounds it per request.
 */
const MAX_UNSENT_BYTES = 4 * 1024 * 1024;

/** A request the control plane may still cancel or acknowledge. */
export interface InFlight {
  cancel(): void;
  ack(bytes: number): void;
}

/**
 * Carries one `http` frame to Bitbucket and its answer back on `socket`: checks the allowlist (a refusal is an
 * `error` frame and a warning in the log), joins the path onto --target (the control plane never picks the host),
 * times out until Bitbucket starts answering, then streams the body in chunks, pausing while more than the
 * request's window is unacknowledged or while sends are still queued on the socket.
 */
export function forward(uplink: Uplink, frame: HttpFrame, options: ForwardOptions, done: () => void): InFlight {
  const started = performance.now();
  const path = frame.path.split('?')[0] as string;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done();
  };
  const fail = (code: 'refused' | 'unreachable' | 'timeout', message: string) => {
    if (finished) return;
    uplink.send({ type: 'error', id: frame.id, code, message });
    options.log(code === 'refused' ? 'warn' : 'error', code === 'refused' ? 'request refused' : 'request failed', { method: frame.method, path, reason: message });
    finish();
  };
  const idle: InFlight = { cancel: () => undefined, ack: () => undefined };

  const verdict = checkAgentRequest(frame.method, frame.path);
  if (!verdict.allowed) {
    fail('refused', `refused by the agent's allowlist: ${verdict.reason}`);
    return idle;
  }
  if (options.allowedProjects !== undefined && verdict.project !== undefined && !options.allowedProjects.test(`${verdict.project}/${verdict.repo ?? ''}`)) {
    fail('refused', `refused by --allowed-projects: ${verdict.project}/${verdict.repo ?? ''}`);
    return idle;
  }

  const url = new URL(`${options.target.pathname.replace(/\/+$/, '')}${frame.path}`, options.target);
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(frame.headers)) if (!HOP_HEADERS.has(name.toLowerCase())) headers[name] = values;
  const client = url.protocol === 'https:' ? https : http;
  const request = client.request(url, { method: frame.method, headers, agent: options.agent });
  const timer = setTimeout(() => {
    fail('timeout', `Bitbucket gave no answer within ${frame.timeoutMs} ms`);
    request.destroy();
  }, frame.timeoutMs);
  request.on('error', (error: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    fail('unreachable', `could not reach Bitbucket: ${error.code ?? error.message}`);
  });

  let unacked = 0;
  let unsent = 0;
  let response: http.IncomingMessage | undefined;
  const paceOrResume = () => {
    if (response === undefined) return;
    if (unacked >= frame.window || unsent >= MAX_UNSENT_BYTES) response.pause();
    else if (response.isPaused()) response.resume();
  };
  request.on('response', (answer) => {
    clearTimeout(timer);
    response = answer;
    const answerHeaders: Record<string, string[]> = {};
    for (let index = 0; index + 1 < answer.rawHeaders.length; index += 2) {
      const name = (answer.rawHeaders[index] as string).toLowerCase();
      (answerHeaders[name] ??= []).push(answer.rawHeaders[index + 1] as string);
    }
    const status = answer.statusCode ?? 502;
    const declared = Number(answer.headers['content-length']);
    if (Number.isInteger(declared) && declared <= INLINE_BODY_BYTES) {
      const chunks: Buffer[] = [];
      answer.on('data', (data: Buffer) => chunks.push(data));
      answer.on('end', () => {
        if (finished) return;
        const body = Buffer.concat(chunks);
        uplink.send({ type: 'http_response', id: frame.id, status, headers: answerHeaders, body: body.toString('base64') });
        options.log('info', 'request', { method: frame.method, path, status, bytes: body.length, durationMs: Math.round(performance.now() - started) });
        finish();
      });
      answer.on('error', () => fail('unreachable', 'Bitbucket closed the connection mid-answer'));
      return;
    }
    uplink.send({ type: 'http_response', id: frame.id, status, headers: answerHeaders });
    const header = bodyFrameHeader(frame.id);
    let bytes = 0;
    answer.on('data', (data: Buffer) => {
      for (let offset = 0; offset < data.length; offset += BODY_CHUNK_BYTES) {
        const chunk = data.subarray(offset, offset + BODY_CHUNK_BYTES);
        unacked += chunk.length;
        unsent += chunk.length;
        bytes += chunk.length;
        uplink.sendBody(header, chunk, () => {
          unsent -= chunk.length;
          paceOrResume();
        });
      }
      paceOrResume();
    });
    answer.on('end', () => {
      if (finished) return;
      uplink.send({ type: 'end', id: frame.id });
      options.log('info', 'request', { method: frame.method, path, status: answer.statusCode, bytes, durationMs: Math.round(performance.now() - started) });
      finish();
    });
    answer.on('error', () => fail('unreachable', 'Bitbucket closed the connection mid-answer'));
  });
  request.end(frame.body);
  return {
    cancel() {
      clearTimeout(timer);
      finish();
      request.destroy();
    },
    ack(bytes) {
      unacked = Math.max(0, unacked - bytes);
      paceOrResume();
    },
  };
}
