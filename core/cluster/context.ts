/**
 * What the parts of an endpoint's cluster share: the Redis link, key names, this instance's id and
 * the ownership records. Never imports Node-RED.
 */
import type { ServerResponse } from 'node:http';
import { sendRetryLater } from '../http';
import type { ClusterKeys } from './options';
import { RELAY_RETRY_AFTER_S } from './options';
import type { RedisLink } from './redis-link';
import type { SessionOwnership } from './ownership';
import { encode, type ClusterMessage } from './wire';

/** The shared parts, made once per endpoint by the cluster. */
export interface RelayContext {
  readonly link: RedisLink;
  readonly keys: ClusterKeys;
  readonly instanceId: string;
  readonly ownership: SessionOwnership;
  /** Ms a relayed request waits for the owner's answer to start. */
  readonly relayTimeoutMs: number;
  /**
   * True shortly after Redis came back: an owner may not have written its records again yet, so
   * a session nobody seems to own may still be alive (answered 503, not 404).
   */
  settling(): boolean;
}

/** Publishes `message` in `instanceId`'s inbox. @returns the number of receivers (0: that instance is gone). */
export function sendTo(context: RelayContext, instanceId: string, message: ClusterMessage): Promise<number> {
  return context.link.publish(context.keys.inbox(instanceId), encode(message));
}

/** Answers 503 with `Retry-After`: the request cannot be relayed now (Redis unreachable, the owner silent). */
export function sendUnavailable(res: ServerResponse, why: string): void {
  sendRetryLater(res, `${why}; try again shortly`, null, RELAY_RETRY_AFTER_S);
}
