/**
 * The VCS agent's wire protocol (SPEC §9), one WebSocket per agent connection, requests multiplexed by id:
 *
 * - control plane → agent, text frames: `http` (a Bitbucket request), `ack` (body bytes consumed: more may come),
 *   `cancel` (the caller gave up or timed out).
 * - agent → control plane, text frames: `http_response` (status and headers, and a small body whole), `end` (the
 *   body is complete),
 *   `error` (refused, unreachable, timed out); binary messages: a body chunk, its request id in the first 4 bytes
 *   (the agent sends the id and the bytes as two fragments of the message; a reader takes any split).
 *
 * Bodies are paced per request: the agent sends at most `window` unacknowledged bytes of a body, so a slow reader
 * (a worker writing an archive to disk) holds back its own request and not the others on the socket. Pure: zod only.
 */
import { z } from 'zod';

/** The WebSocket path below the control plane's URL. */
export const AGENT_CONNECT_PATH = '/api/v1/vcs-agents/connect';

/** The largest frame either side accepts (a body chunk is far smaller; a request body is a comment at most). */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** Body bytes in one binary frame. */
export const BODY_CHUNK_BYTES = 256 * 1024;

/** An answer whose Content-Length is at most this comes whole in its `http_response` frame (one frame, not three). */
export const INLINE_BODY_BYTES = 64 * 1024;

/** Bytes of a body the agent may send ahead of the control plane's acknowledgements. */
export const BODY_WINDOW_BYTES = 8 * 1024 * 1024;

const id = z.number().int().nonnegative().max(0xffffffff);

/** Header values are kept as lists: Bitbucket may repeat a header (Spacelift keeps only the first). */
const headers = z.record(z.string(), z.array(z.string()));

export const downFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('http'),
    id,
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    /** Path below the agent's --target, with the query; never a host. */
    path: z.string().min(1).max(8192),
    headers,
    body: z.string().max(MAX_FRAME_BYTES).optional(),
    /** Milliseconds the agent gives Bitbucket to start answering. */
    timeoutMs: z.number().int().positive().max(600_000),
    window: z.number().int().positive(),
  }),
  z.object({ type: z.literal('ack'), id, bytes: z.number().int().positive() }),
  z.object({ type: z.literal('cancel'), id }),
]);
export type DownFrame = z.infer<typeof downFrameSchema>;
export type HttpFrame = Extract<DownFrame, { type: 'http' }>;

/** Why the agent did not answer with Bitbucket's response. */
export const agentErrorCodes = ['refused', 'unreachable', 'timeout', 'bad-frame', 'overloaded'] as const;
export type AgentErrorCode = (typeof agentErrorCodes)[number];

export const upFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('http_response'),
    id,
    status: z.number().int().min(100).max(599),
    headers,
    /** A small answer whole (base64), in this one frame: no body frames and no `end` follow. */
    body: z.string().max(MAX_FRAME_BYTES).optional(),
  }),
  z.object({ type: z.literal('end'), id }),
  z.object({ type: z.literal('error'), id, code: z.enum(agentErrorCodes), message: z.string().max(2000) }),
]);
export type UpFrame = z.infer<typeof upFrameSchema>;

/**
 * The first bytes of a binary body message: the request id (big-endian uint32); Bitbucket's bytes follow. The agent
 * sends the two as fragments of one message rather than copying them into one buffer.
 */
export function bodyFrameHeader(requestId: number): Uint8Array {
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, requestId);
  return header;
}

/**
 * The request id and body bytes of a binary message, given as the fragments it came in (however the peer split it),
 * or null when it is too short to hold the id. The bytes stay in the fragments they came in: nothing is copied
 * unless the id itself is split.
 */
export function decodeBodyFrame(fragments: readonly Uint8Array[]): { id: number; chunks: Uint8Array[] } | null {
  const [first] = fragments;
  if (first === undefined) return null;
  if (first.length < 4) {
    const joined = new Uint8Array(fragments.reduce((total, fragment) => total + fragment.length, 0));
    let offset = 0;
    for (const fragment of fragments) {
      joined.set(fragment, offset);
      offset += fragment.length;
    }
    return joined.length < 4 ? null : decodeBodyFrame([joined]);
  }
  const chunks = [first.subarray(4), ...fragments.slice(1)].filter((chunk) => chunk.length > 0);
  return { id: new DataView(first.buffer, first.byteOffset, 4).getUint32(0), chunks };
}

/** Parses a text frame as JSON and then `schema`; null for anything else. */
export function parseFrame<T>(schema: z.ZodType<T>, text: string): T | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** The message of a call to a pool with no agent connected (SPEC §9). */
export function noAgentMessage(pool: string): string {
  return `no VCS agent of pool ${pool} is connected`;
}
