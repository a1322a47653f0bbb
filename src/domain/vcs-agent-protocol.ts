/**
 * The VCS agent's wire protocol (SPEC §9), one WebSocket per agent connection, requests multiplexed by id:
 *
 * - control plane → agent, text frames: `http` (a Bitbucket request), `ack` (body bytes consumed: more may come),
 *   `cancel` (the caller gave up or timed out).
 * - agent → control plane, text frames: `http_response` (status and headers, and a small body whole), `end` (the
 *   body is complete),
 *   `error` (refused, unreachable, timed out); binary frames: a body chunk, its request id in the first 4 bytes.
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

/** A binary body frame: the request id (big-endian uint32), then the bytes. */
export function encodeBodyFrame(requestId: number, chunk: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + chunk.length);
  new DataView(frame.buffer).setUint32(0, requestId);
  frame.set(chunk, 4);
  return frame;
}

/** The request id and bytes of a binary body frame, or null when it is too short to be one. */
export function decodeBodyFrame(frame: Uint8Array): { id: number; chunk: Uint8Array } | null {
  if (frame.length < 4) return null;
  return { id: new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0), chunk: frame.subarray(4) };
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
