import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { WebSocketServer } from 'ws';
import { AgentRouteError, type AgentRequest, type AgentResponse, type AgentRoute } from '../../clients/agent-route';
import { AGENT_CONNECT_PATH, MAX_FRAME_BYTES, noAgentMessage } from '../../domain/vcs-agent-protocol';
import { bearerSecret } from '../auth/access';
import { hashSecret } from '../secrets';
import type { Database } from '../store/database';
import { findVcsAgentPool, findVcsAgentPoolByTokenHash, touchVcsAgentPool } from '../store/vcsAgentPools';
import { AgentConnection } from './connection';

/** WebSocket close code telling an agent its token is no longer valid (the pool was deleted): do not reconnect. */
export const CLOSE_POOL_DELETED = 4001;

/** What a pool's agents look like from this replica. */
export interface PoolConnections {
  connectedAgents: number;
  agents: { name: string; connectedAt: string; inFlight: number }[];
}

export interface AgentGatewayOptions {
  /** How often the gateway pings each agent; a socket without a pong by the next ping is ended. @default 20000 */
  pingIntervalMs?: number;
}

/** How often `last_activity_at` is written for a busy pool, at most. */
const ACTIVITY_WRITE_MS = 10_000;

/**
 * The control plane's end of the VCS agents (SPEC §9). Agents dial in on `AGENT_CONNECT_PATH` with their pool's
 * token in the Authorization header, checked before the WebSocket handshake (a wrong or deleted token gets a plain
 * 401). Requests for `private://<pool>` go to the connected agent of that pool with the fewest in flight; with none,
 * they fail at once with SPEC §9's message. Each replica carries requests over the agents connected to it.
 */
export class AgentGateway implements AgentRoute {
  private readonly pools = new Map<string, Set<AgentConnection>>();
  private readonly poolIds = new Map<string, string>();
  private readonly activityWritten = new Map<string, number>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  private readonly pinger: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    private readonly log: FastifyBaseLogger,
    options: AgentGatewayOptions = {},
  ) {
    this.pinger = setInterval(() => this.pingAll(), options.pingIntervalMs ?? 20_000);
    this.pinger.unref();
  }

  /** Takes over WebSocket upgrades on the agent path of `server`; other upgrades get a 404. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(request, socket, head);
    });
  }

  async request(pool: string, request: AgentRequest): Promise<AgentResponse> {
    const connection = this.pick(pool);
    if (connection === undefined) throw new AgentRouteError(noAgentMessage(pool), 'ENOAGENT');
    this.noteActivity(pool);
    return connection.request(request);
  }

  /** The agents of `pool` connected to this replica. */
  connections(pool: string): PoolConnections {
    const open = [...(this.pools.get(pool.toLowerCase()) ?? [])].filter((connection) => connection.open);
    return {
      connectedAgents: open.length,
      agents: open.map((connection) => ({ name: connection.agentName, connectedAt: connection.connectedAt.toISOString(), inFlight: connection.load })),
    };
  }

  /** Whether an agent of `pool` is connected here (a credential check can go through it). */
  isConnected(pool: string): boolean {
    return this.pick(pool) !== undefined;
  }

  /** Disconnects the agents of a deleted pool; they stop instead of reconnecting. */
  disconnectPool(pool: string): void {
    for (const connection of this.pools.get(pool.toLowerCase()) ?? []) connection.close(CLOSE_POOL_DELETED, 'the VCS agent pool was deleted');
  }

  close(): void {
    clearInterval(this.pinger);
    for (const set of this.pools.values()) for (const connection of set) connection.close(1001, 'the control plane is shutting down');
    this.wss.close();
  }

  private pick(pool: string): AgentConnection | undefined {
    let best: AgentConnection | undefined;
    for (const connection of this.pools.get(pool.toLowerCase()) ?? []) {
      if (connection.open && (best === undefined || connection.load < best.load)) best = connection;
    }
    return best;
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Node hands an upgrading socket over without an error listener: a peer that resets it while it waits for the
    // token check or its 401 must not take the process down.
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '').split('?')[0];
    if (path !== AGENT_CONNECT_PATH) return refuse(socket, 404, 'Not Found');
    const token = bearerSecret(request.headers.authorization);
    const pool = token === null ? null : await findVcsAgentPoolByTokenHash(this.db, hashSecret(token)).catch(() => null);
    if (pool === null) {
      this.log.warn({ remoteAddress: request.socket.remoteAddress }, 'VCS agent refused: unknown pool token');
      return refuse(socket, 401, 'Unauthorized');
    }
    const agentName = String(request.headers['x-liftgate-agent'] ?? request.socket.remoteAddress ?? 'agent').slice(0, 200);
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const key = pool.name.toLowerCase();
      const connection = new AgentConnection(pool.name, pool.id, agentName, ws, (problem) => {
        this.log.warn({ pool: pool.name, agent: agentName, problem }, 'VCS agent sent a bad frame; disconnecting it');
        connection.close(1002, 'protocol error');
      });
      let set = this.pools.get(key);
      if (set === undefined) this.pools.set(key, (set = new Set()));
      set.add(connection);
      this.poolIds.set(key, pool.id);
      ws.on('close', () => {
        set.delete(connection);
        this.log.info({ pool: pool.name, agent: agentName }, 'VCS agent disconnected');
      });
      this.log.info({ pool: pool.name, agent: agentName }, 'VCS agent connected');
      this.activityWritten.delete(key);
      this.noteActivity(pool.name);
    });
  }

  /**
   * A pool deleted through another replica: its agents here are disconnected too (its token no longer works). Checked
   * once per ping round for each pool with agents here.
   */
  private async dropDeletedPools(): Promise<void> {
    const connections = [...this.pools.values()].flatMap((set) => [...set]);
    try {
      for (const poolId of new Set(connections.map((connection) => connection.poolId))) {
        if ((await findVcsAgentPool(this.db, poolId)) !== null) continue;
        for (const connection of connections) if (connection.poolId === poolId) connection.close(CLOSE_POOL_DELETED, 'the VCS agent pool was deleted');
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not check the pools of connected VCS agents');
    }
  }

  private noteActivity(pool: string): void {
    const key = pool.toLowerCase();
    const id = this.poolIds.get(key);
    const now = Date.now();
    if (id === undefined || now - (this.activityWritten.get(key) ?? 0) < ACTIVITY_WRITE_MS) return;
    this.activityWritten.set(key, now);
    touchVcsAgentPool(this.db, id).catch((error: unknown) => this.log.warn({ err: error, pool }, 'could not record VCS agent activity'));
  }

  private pingAll(): void {
    void this.dropDeletedPools();
    for (const set of this.pools.values()) {
      for (const connection of set) {
        if (!connection.alive) connection.terminate();
        else connection.ping();
      }
    }
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}
