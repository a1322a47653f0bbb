import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { Uplink } from '../../src/agent/uplink';
import { bodyFrameHeader, decodeBodyFrame } from '../../src/domain/vcs-agent-protocol';

let server: WebSocketServer;
let client: WebSocket;
let uplink: Uplink;
/** The client's TCP socket, under its WebSocket. */
let raw: Socket;
/** What the server side received, messages as the fragments they came in. */
let received: { data: Buffer[] | Buffer; binary: boolean }[] = [];

beforeEach(async () => {
  received = [];
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    socket.binaryType = 'fragments';
    socket.on('message', (data, binary) => received.push({ data: data as Buffer[] | Buffer, binary }));
  });
  client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { perMessageDeflate: false, generateMask: (mask: Buffer) => mask.fill(0) });
  client.once('upgrade', (response) => {
    raw = response.socket as Socket;
  });
  uplink = new Uplink(client);
  await new Promise((resolve) => client.once('open', resolve));
});

afterEach(async () => {
  client.terminate();
  await new Promise((resolve) => server.close(resolve));
});

async function arrived(count: number): Promise<void> {
  while (received.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('the agent\'s uplink', () => {
  it('sends a body chunk as one message: its request\'s header, then the bytes as they were read', async () => {
    const chunk = Buffer.from('archive bytes');
    const sent = jest.fn();
    uplink.sendBody(bodyFrameHeader(7), chunk, sent);
    await arrived(1);
    const [message] = received;
    expect(message?.binary).toBe(true);
    // Two fragments, the chunk not copied behind the header.
    expect(message?.data).toHaveLength(2);
    expect(decodeBodyFrame(message?.data as Buffer[])).toEqual({ id: 7, chunks: [chunk] });
    expect(sent).toHaveBeenCalledTimes(1);
  });

  it('writes a text frame at once, and holds the body chunks of one turn of the event loop and what follows them until it turns', async () => {
    uplink.send({ type: 'http_response', id: 1, status: 200, headers: {} });
    expect(raw.writableCorked).toBe(0);
    for (let index = 0; index < 3; index += 1) uplink.sendBody(bodyFrameHeader(1), Buffer.alloc(1000, index), () => undefined);
    uplink.send({ type: 'end', id: 1 });
    expect(raw.writableCorked).toBe(1);
    expect(raw.writableLength).toBeGreaterThan(3000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(raw.writableCorked).toBe(0);
    await arrived(5);
    expect(received.map((message) => message.binary)).toEqual([false, true, true, true, false]);
    expect(JSON.parse(String(received[4]?.data))).toEqual({ type: 'end', id: 1 });
  });
});
