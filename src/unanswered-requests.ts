import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What is left to say on a connection once the requests read on it are answered. */
export type Remaining = 'an answer' | 'nothing';

/**
 * The requests node has read on each connection and not yet answered. HTTP/1.1 answers a
 * connection's requests in order, so an error node finds further on (a malformed request
 * pipelined after a good one, a timeout) may be answered only after them: answered at once,
 * it would cut off their answers, and they would be neither logged nor counted as answered.
 */
export class UnansweredRequests {
  private readonly open = new WeakMap<Socket, Set<ServerResponse>>();
  /** The last request read on each connection: the one node was reading when it failed, unless complete. */
  private readonly latest = new WeakMap<Socket, ServerResponse>();

  /** Follows every request `server` reads. */
  watch(server: Server): void {
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const { socket } = request;
      let responses = this.open.get(socket);
      if (!responses) this.open.set(socket, (responses = new Set()));
      responses.add(response);
      this.latest.set(socket, response);
      response.once('close', () => {
        responses.delete(response);
        // Kept only while node may still be reading its body.
        if (request.complete && this.latest.get(socket) === response) this.latest.delete(socket);
      });
    });
  }

  /**
   * Resolves once every request on `socket` whose answer is due has had it: those read in full,
   * and one answered before its body was read (a 413, whose rest node discards). Then says whether
   * the error still needs an answer: not when it hit a request that had one already.
   */
  async settled(socket: Socket): Promise<Remaining> {
    const due = [...this.open.get(socket) ?? []].filter((response) => response.req.complete || response.headersSent);
    await Promise.all(due.map((response) => new Promise((resolve) => response.once('close', resolve))));
    const current = this.latest.get(socket);
    return current && !current.req.complete && current.headersSent ? 'nothing' : 'an answer';
  }
}
