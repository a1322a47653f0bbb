import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { UpFrame } from '../domain/vcs-agent-protocol';

/**
 * What the agent sends on one WebSocket to the control plane. A body chunk is one binary message in two fragments,
 * the request's 4-byte header and then Bitbucket's bytes as they were read, so no chunk is copied to put its id in
 * front. Body chunks sent in one turn of the event loop are written together: the socket is corked from the first
 * of them until the loop turns, so the reads of one poll (up to 32 of 64 KiB) leave in one system call and wake the
 * control plane once, instead of once per read. A text frame goes out at once (a small answer waits for nothing),
 * or with the chunks when it comes after them in the same turn (an `end`), keeping its place.
 */
export class Uplink {
  private raw: Socket | undefined;
  private corked = false;

  constructor(private readonly socket: WebSocket) {
    // ws hands over the handshake's response first; its socket is the one every frame is written to.
    socket.once('upgrade', (response) => {
      this.raw = response.socket;
    });
  }

  send(frame: UpFrame): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Sends `chunk` of the request whose header is `header`; `sent` runs once it is written to the socket. */
  sendBody(header: Uint8Array, chunk: Uint8Array, sent: () => void): void {
    this.batch();
    this.socket.send(header, { binary: true, fin: false });
    this.socket.send(chunk, { binary: true, fin: true }, sent);
  }

  private batch(): void {
    const raw = this.raw;
    if (this.corked || raw === undefined) return;
    this.corked = true;
    raw.cork();
    setImmediate(() => {
      this.corked = false;
      raw.uncork();
    });
  }
}
