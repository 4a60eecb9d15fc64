/**
 * The {@link TransportHost} an endpoint gives its transports: its admission (`AccessControl`), its
 * session table (`EndpointSessions`), the cluster, its inbound pipeline (`Dispatcher.receive`) and
 * the 2026-07-28 handler, put together so that the transports see nothing else of the endpoint
 * (and never import `endpoint.ts`).
 *
 * Never imports Node-RED.
 */
import type { AccessControl } from './auth/access-control';
import type { AuthInfo } from './auth/claims';
import type { Cluster } from './cluster';
import type { EndpointSessions } from './endpoint-sessions';
import type { Exchanges } from './stateless/exchanges';
import type { Session } from './session';
import { isWellFormedSessionId } from './session-id';
import { StatelessHandler } from './stateless/handler';
import type { TransportHost } from './transports/host';
import { postedText, type PostedMessage } from './transports/post-body';
import { SUPPORTED_PROTOCOL_VERSIONS } from './transports/streamable-http';

/** The parts of an endpoint its transports reach, through {@link transportHost}. */
interface EndpointParts {
  /** The settings the transports read, as {@link TransportHost} describes them. */
  readonly maxBodyBytes: number;
  readonly maxBatchSize: number;
  readonly retryMs: number;
  readonly resumeGraceMs: number;
  readonly access: AccessControl;
  readonly sessions: EndpointSessions;
  /** The open 2026-07-28 exchanges, which the stateless handler opens. */
  readonly exchanges: Exchanges;
  /** Answer with one JSON body where a POST could be answered with an SSE stream. */
  readonly jsonResponse: boolean;
  /** This instance's part of the cluster, if the endpoint has one (it joins after the transports are made). */
  cluster(): Cluster | undefined;
  /** The endpoint's inbound pipeline: protocol layer, features, flow. */
  receive(session: Session, messages: readonly PostedMessage[], auth: AuthInfo | undefined): void;
}

/** The transports' view of an endpoint made of `parts`; see {@link TransportHost} for each member. */
export function transportHost(parts: EndpointParts): TransportHost {
  const { access, sessions, exchanges } = parts;
  const stateless = new StatelessHandler(exchanges, {
    maxBatchSize: parts.maxBatchSize, jsonResponse: parts.jsonResponse, legacyVersions: SUPPORTED_PROTOCOL_VERSIONS,
    refuseToolCalls: (req, res, auth, messages) => access.refuseToolCalls(req, res, 'streamable-http', auth, messages),
  });
  return {
    maxBodyBytes: parts.maxBodyBytes,
    maxBatchSize: parts.maxBatchSize,
    retryMs: parts.retryMs,
    resumeGraceMs: parts.resumeGraceMs,
    admit: (req, res, transport, then, context) => access.admit(req, res, transport, then, context),
    refuseToolCalls: (req, res, transport, auth, messages) => access.refuseToolCalls(req, res, transport, auth, messages),
    openSession(req, res, transport, auth, setUp) {
      const client = sessions.makeRoom(req, res, transport);
      return client === undefined ? undefined : sessions.open(transport, req.headers, setUp, auth, client);
    },
    findSession(id, transport, auth) {
      const session = sessions.get(id);
      if (session === undefined || session.transport !== transport || !access.sameCaller(id, auth)) return undefined;
      sessions.touched(session);
      return session;
    },
    mayResume(session, req, auth) {
      const opened = sessions.headersOf(session);
      return opened !== undefined && access.mayResume(session.id, opened, req.headers, auth);
    },
    relay(req, res, id, route, notFound, body) {
      // An id this package never issues (another server's) is no instance's: not looked up in Redis.
      const cluster = parts.cluster();
      const held = sessions.get(id) !== undefined || exchanges.get(id) !== undefined;
      if (cluster === undefined || held || !isWellFormedSessionId(id)) return false;
      return cluster.relay(req, res, id, route, notFound, body === undefined ? undefined : postedText(body));
    },
    receive: (session, messages, auth) => {
      session.touch();
      parts.receive(session, messages, auth);
    },
    answerStateless: (body, req, res, auth) => stateless.answer(body, req, res, auth),
  };
}
