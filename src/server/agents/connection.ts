import { Readable } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { AgentRouteError, type AgentRequest, type AgentResponse } from '../../clients/agent-route';
import { BODY_WINDOW_BYTES, decodeBodyFrame, MAX_FRAME_BYTES, parseFrame, upFrameSchema, type DownFrame, type UpFrame } from '../../domain/vcs-agent-protocol';

/** A request sent to the agent whose answer has not ended. */
interface Pending {
  resolve(response: AgentResponse): void;
  reject(error: Error): void;
  /** Set once the status and headers came. */
  body?: Readable;
  /** Body bytes consumed by the reader and not yet acknowledged to the agent. */
  unacked: number;
  timer?: NodeJS.Timeout;
  detach(): void;
}

/** Extra time the control plane waits beyond the agent's own time-out before it gives up on the agent. */
const TIMEOUT_GRACE_MS = 2000;

/**
 * The control plane's side of one agent's WebSocket: sends `http` frames, matches `http_response`/`end`/`error`
 * and body frames to their request by id, paces bodies (acknowledging what the reader consumed), and fails every
 * open request at once when the socket goes away.
 */
export class AgentConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedReason: string | null = null;
  /** Set by every pong; the gateway terminates sockets that stay silent past an interval. */
  alive = true;
  readonly connectedAt = new Date();

  constructor(
    readonly pool: string,
    readonly poolId: string,
    readonly agentName: string,
    private readonly socket: WebSocket,
    private readonly onProtocolError: (message: string) => void,
  ) {
    // A body message comes as the fragments it was sent in (the id, then Bitbucket's bytes): joining them would copy
    // every byte of an archive once more.
    socket.binaryType = 'fragments';
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('close', () => this.fail(`the VCS agent of pool ${pool} went away`));
    socket.on('error', () => this.fail(`the VCS agent of pool ${pool} went away`));
  }

  /** Requests in flight on this connection (the gateway spreads requests by it). */
  get load(): number {
    return this.pending.size;
  }

  /** Whether requests can go out on it (not once either side started closing). */
  get open(): boolean {
    return this.closedReason === null && this.socket.readyState === this.socket.OPEN;
  }

  request(request: AgentRequest): Promise<AgentResponse> {
    if (!this.open) return Promise.reject(new AgentRouteError(this.closedReason ?? `the VCS agent of pool ${this.pool} went away`, 'EAGENTLOST'));
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    return new Promise<AgentResponse>((resolve, reject) => {
      const onAbort = () => {
        this.send({ type: 'cancel', id });
        this.finish(id, new AgentRouteError('cancelled', 'EAGENTLOST'));
      };
      const pending: Pending = {
        resolve,
        reject,
        unacked: 0,
        detach: () => request.signal?.removeEventListener('abort', onAbort),
      };
      pending.timer = setTimeout(() => {
        this.send({ type: 'cancel', id });
        this.finish(id, new AgentRouteError(`the VCS agent of pool ${this.pool} gave no answer within ${request.timeoutMs} ms`, 'ETIMEDOUT'));
      }, request.timeoutMs + TIMEOUT_GRACE_MS);
      this.pending.set(id, pending);
      request.signal?.addEventListener('abort', onAbort, { once: true });
      this.send({
        type: 'http',
        id,
        method: request.method as 'GET',
        path: request.path,
        headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, [value]])),
        ...(request.body === undefined ? {} : { body: request.body }),
        timeoutMs: request.timeoutMs,
        window: BODY_WINDOW_BYTES,
      });
    });
  }

  /** Closes the socket (a deleted pool, a server shutting down); open requests fail at once. */
  close(code: number, reason: string): void {
    this.fail(`the VCS agent of pool ${this.pool} was disconnected: ${reason}`);
    this.socket.close(code, reason);
  }

  /** Ends a socket that missed its pong. */
  terminate(): void {
    this.fail(`the VCS agent of pool ${this.pool} stopped answering`);
    this.socket.terminate();
  }

  ping(): void {
    this.alive = false;
    this.socket.ping();
  }

  private send(frame: DownFrame): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private receive(data: RawData, isBinary: boolean): void {
    const fragments = Array.isArray(data) ? data : [Buffer.isBuffer(data) ? data : Buffer.from(data)];
    if (isBinary) {
      const frame = decodeBodyFrame(fragments);
      if (frame === null) return this.onProtocolError('a body frame shorter than its header');
      // A chunk for a request already given up on (cancelled, timed out) is dropped.
      const pending = this.pending.get(frame.id);
      if (pending?.body === undefined) return undefined;
      for (const chunk of frame.chunks) pending.body.push(chunk);
      // An agent keeps to the window (overshooting by at most what it read at once); one that does not would make
      // this process hold a body its reader is not taking.
      if (pending.unacked > BODY_WINDOW_BYTES + MAX_FRAME_BYTES) return this.onProtocolError('more of a body than its window allows');
      return undefined;
    }
    const text = fragments.length === 1 ? (fragments[0] as Buffer) : Buffer.concat(fragments);
    const frame = parseFrame(upFrameSchema, text.toString('utf8'));
    if (frame === null) return this.onProtocolError('a frame that is not one of http_response, end, error');
    return this.handle(frame);
  }

  private handle(frame: UpFrame): void {
    const pending = this.pending.get(frame.id);
    if (pending === undefined) return;
    if (frame.type === 'error') {
      const code = frame.code === 'refused' ? 'EAGENTREFUSED' : frame.code === 'timeout' ? 'ETIMEDOUT' : frame.code === 'unreachable' ? 'EAGENTUPSTREAM' : 'EAGENTLOST';
      this.finish(frame.id, new AgentRouteError(`the VCS agent of pool ${this.pool}: ${frame.message}`, code));
      return;
    }
    if (frame.type === 'end') {
      pending.body?.push(null);
      this.forget(frame.id);
      return;
    }
    if (pending.body !== undefined) return;
    if (frame.body !== undefined) {
      this.forget(frame.id);
      pending.resolve({ status: frame.status, headers: frame.headers, body: Readable.from([Buffer.from(frame.body, 'base64')]) });
      return;
    }
    clearTimeout(pending.timer);
    pending.timer = undefined;
    pending.body = this.bodyStream(frame.id, pending);
    pending.resolve({ status: frame.status, headers: frame.headers, body: pending.body });
  }

  /**
   * The body as a stream that acknowledges what its reader consumed, a quarter window at a time, so the agent
   * keeps at most a window of this request's bytes in flight. Destroying it early cancels the request.
   */
  private bodyStream(id: number, pending: Pending): Readable {
    // Below a quarter window nothing is sent: the agent still has three quarters to go on, and the reader asks again.
    const acknowledge = (body: Readable) => {
      if (!this.pending.has(id)) return;
      const consumed = pending.unacked - body.readableLength;
      if (consumed < BODY_WINDOW_BYTES / 4) return;
      pending.unacked -= consumed;
      this.send({ type: 'ack', id, bytes: consumed });
    };
    const body = new Readable({
      highWaterMark: BODY_WINDOW_BYTES / 2,
      read() {
        acknowledge(this);
      },
      destroy: (error, callback) => {
        if (this.pending.has(id)) {
          this.send({ type: 'cancel', id });
          this.forget(id);
        }
        callback(error);
      },
    });
    const push = body.push.bind(body);
    body.push = (chunk: Buffer | null) => {
      if (chunk !== null) pending.unacked += chunk.length;
      const more = push(chunk);
      if (chunk !== null) acknowledge(body);
      return more;
    };
    return body;
  }

  /** Fails one request (before its answer: the promise; after: the body stream). */
  private finish(id: number, error: AgentRouteError): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.forget(id);
    if (pending.body === undefined) pending.reject(error);
    else pending.body.destroy(error);
  }

  private forget(id: number): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    pending.detach();
    this.pending.delete(id);
  }

  private fail(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const id of [...this.pending.keys()]) this.finish(id, new AgentRouteError(reason, 'EAGENTLOST'));
  }
}
