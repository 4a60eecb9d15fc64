/**
 * The owning side: another instance relayed a client's request for a session this instance owns.
 * It is served by the same transport handler as a local request (every check and answer the
 * same: the owner validates it and hands its messages to its flow), on a {@link RelayedRequest}
 * and a {@link RelayedResponse} whose answer goes back to the relaying instance.
 *
 * Never imports Node-RED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendTo, type RelayContext } from './context';
import { RelayedRequest, RelayedResponse } from './relayed-http';
import type { RelayGoneMessage, RelayRequestMessage, RelayRoute } from './wire';

/** Serves a relayed request as the transport serves a local one. */
export type RouteHandler = (route: RelayRoute, req: IncomingMessage, res: ServerResponse) => void;

/** The relayed requests this instance is answering, by relaying instance and relay id. */
export class RelayHost {
  private readonly answering = new Map<string, RelayedResponse>();

  constructor(private readonly context: RelayContext, private readonly serve: RouteHandler) {}

  /** The number of relayed requests being answered (streams included). */
  get size(): number {
    return this.answering.size;
  }

  /** A relayed request arrived: serve it. */
  received(message: RelayRequestMessage): void {
    const key = `${message.from}|${message.r}`;
    const req = new RelayedRequest(message);
    const res = new RelayedResponse(message.r, (part) => sendTo(this.context, message.from, part));
    this.answering.set(key, res);
    res.once('close', () => {
      if (this.answering.get(key) === res) this.answering.delete(key);
    });
    this.serve(message.route, req as unknown as IncomingMessage, res as unknown as ServerResponse);
  }

  /** The client of a relayed request went away: its response closes, as a local one would. */
  gone(message: RelayGoneMessage): void {
    this.answering.get(`${message.from}|${message.r}`)?.destroy();
  }

  /** Redis is lost: no answer can reach its client any more; every relayed response closes. */
  linkDown(): void {
    for (const res of [...this.answering.values()]) res.destroy();
    this.answering.clear();
  }
}
