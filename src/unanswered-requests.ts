import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The requests node has read on each connection and not yet answered. HTTP/1.1 answers a
 * connection's requests in order, so an error node finds further on (a malformed request
 * pipelined after a good one, a timeout) may be answered only after them: answered at once,
 * it would cut off their answers, and they would be neither logged nor counted as answered.
 */
export class UnansweredRequests {
  private readonly open = new WeakMap<Socket, Set<ServerResponse>>();

  /** Follows every request `server` reads. */
  watch(server: Server): void {
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const { socket } = request;
      let responses = this.open.get(socket);
      if (!responses) this.open.set(socket, (responses = new Set()));
      responses.add(response);
      response.once('close', () => responses.delete(response));
    });
  }

  /**
   * Resolves once every request read in full on `socket` has been answered. One node was still
   * reading when it failed is the failure's to answer: it waits for no body.
   */
  async settled(socket: Socket): Promise<void> {
    const due = [...this.open.get(socket) ?? []].filter((response) => response.req.complete);
    await Promise.all(due.map((response) => new Promise((resolve) => response.once('close', resolve))));
  }
}
