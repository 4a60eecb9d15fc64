/**
 * The sealed `requestState` of MCP 2026-07-28 (SEP-2322): what an `input_required` result hands
 * the client, and its retry hands back, so that no server memory outlives a POST. Sealed with
 * AES-256-GCM, it is both secret and tamper-proof; instances that share the secret open each
 * other's. Without a configured secret, each endpoint id gets a random one per process.
 *
 * Never imports Node-RED.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { isObject } from '../jsonrpc';

/** What a sealed `requestState` holds. */
export interface RequestState {
  /** The method and name (tool, prompt, URI) it was issued for: a retry of another request is refused. */
  method: string;
  name?: string;
  /** Every input response of the earlier rounds, by key. */
  responses: Record<string, unknown>;
  /** The flow's own `msg.mcp.state` at the last input request. */
  state?: unknown;
  /** Expiry, epoch ms. */
  exp: number;
}

/** How long a `requestState` stays valid, in ms. */
export const REQUEST_STATE_TTL_MS = 60 * 60_000;

/**
 * Seals and opens `requestState` (SEP-2322) with AES-256-GCM: the client can neither read nor
 * change it, and it differs each round (a random IV). Instances that share the secret open each
 * other's states.
 */
export class StateSeal {
  private readonly key: Buffer;

  /** @param secret any text; instances behind one load balancer must share it. */
  constructor(secret: string) {
    this.key = createHash('sha256').update(`mcp-request-state:${secret}`).digest();
  }

  /** The sealed text (base64url). */
  seal(state: RequestState): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The state, or `undefined` when it was tampered with, sealed with another secret, or has expired. */
  open(text: unknown): RequestState | undefined {
    if (typeof text !== 'string' || text.length < 40 || text.length > 1_000_000 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
    try {
      const raw = Buffer.from(text, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const state = JSON.parse(json) as RequestState;
      if (typeof state.exp !== 'number' || state.exp < Date.now() || !isObject(state.responses)) return undefined;
      return state;
    } catch {
      return undefined;
    }
  }
}

/** Random state secrets made in this process, by endpoint id: they outlive the endpoints. */
const processSecrets = new Map<string, string>();

/**
 * The random state secret of endpoint `endpointId`, made (32 random bytes, hex) the first time it
 * is asked for and kept as long as the process: an endpoint that is closed and made again with
 * the same id (a redeploy) opens the `requestState` its predecessor sealed.
 */
export function processStateSecret(endpointId: string): string {
  let secret = processSecrets.get(endpointId);
  if (secret === undefined) {
    secret = randomBytes(32).toString('hex');
    processSecrets.set(endpointId, secret);
  }
  return secret;
}
