/**
 * The parts of oidc-provider (plain JavaScript, no bundled types) that test/support/oidc.ts uses:
 * the provider's request handler, and the interaction API its headless login and consent call.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** The pending login or consent of one authorization request. */
  interface Interaction {
    prompt: { name: string; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId: string };
    grantId?: string;
  }

  /** What the user consented to, for one client. */
  interface Grant {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    /** Stores the grant; resolves to its id. */
    save(): Promise<string>;
  }

  interface GrantClass {
    new (properties: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  /** An OpenID Provider / OAuth 2.1 authorization server at `issuer`. */
  export default class Provider {
    constructor(issuer: string, configuration: object);
    /** The provider's Node request handler. */
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: object, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    readonly Grant: GrantClass;
  }
}
