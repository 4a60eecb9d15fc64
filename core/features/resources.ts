/**
 * Resources (MCP 2025-11-25 "Server Features > Resources"): matching a URI against RFC 6570 URI
 * templates, shaping what a flow answers into `resources/read` contents, and the sessions
 * subscribed to each URI.
 *
 * Never imports Node-RED.
 */
import type { JsonObject, ResourceContent, ResourceDefinition } from './declarations';

/** An RFC 6570 expression operator this matcher reads. */
type Operator = '' | '+' | '#' | '/' | '.' | ';' | '?' | '&';

interface Expression {
  operator: Operator;
  names: string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * An RFC 6570 URI template read backwards: {@link match} takes a URI and gives the values of the
 * template's variables. Reads every operator (`{x}`, `{+x}`, `{#x}`, `{/x}`, `{.x}`, `{;x}`,
 * `{?x,y}`, `{&x}`); the modifiers `*` and `:n` are accepted and ignored (an exploded list comes
 * back as its text).
 */
export class UriTemplate {
  /** The variable names, in order. */
  readonly variables: string[] = [];
  private readonly pattern: RegExp;
  private readonly groups: Array<{ name: string } | { query: string[] }> = [];

  /** @throws TypeError for an unclosed `{` or an empty expression. */
  constructor(readonly template: string) {
    let source = '';
    let rest = template;
    while (rest.length > 0) {
      const open = rest.indexOf('{');
      if (open === -1) {
        source += escapeRegExp(rest);
        break;
      }
      source += escapeRegExp(rest.slice(0, open));
      const close = rest.indexOf('}', open);
      if (close === -1) throw new TypeError(`URI template ${JSON.stringify(template)} has an unclosed {`);
      source += this.expression(UriTemplate.parse(rest.slice(open + 1, close), template));
      rest = rest.slice(close + 1);
    }
    this.pattern = new RegExp(`^${source}$`);
  }

  private static parse(body: string, template: string): Expression {
    const operator = /^[+#/.;?&]/.test(body) ? body[0] as Operator : '';
    const names = body.slice(operator.length).split(',').map((n) => n.replace(/(\*|:\d+)$/, '').trim());
    if (names.length === 0 || names.some((n) => !/^[A-Za-z0-9_.%]+$/.test(n))) {
      throw new TypeError(`URI template ${JSON.stringify(template)} has an invalid expression {${body}}`);
    }
    return { operator, names };
  }

  private expression({ operator, names }: Expression): string {
    this.variables.push(...names);
    if (operator === '?' || operator === '&') {
      this.groups.push({ query: names });
      return `((?:[?&][^#]*)?)`;
    }
    const value = operator === '+' || operator === '#' ? '(.*?)' : operator === '.' ? '([^/?#.]*)' : '([^/?#,;&]*)';
    const parts = names.map((name) => {
      this.groups.push({ name });
      if (operator === ';') return `;${escapeRegExp(name)}=?${value}`;
      if (operator === '/') return `/${value}`;
      if (operator === '.') return `\\.${value}`;
      return value;
    });
    const lead = operator === '#' ? '#' : '';
    const sep = operator === '/' || operator === '.' || operator === ';' ? '' : ',';
    // Optional: an undefined variable expands to nothing.
    return `(?:${lead}${parts.join(sep)})?`;
  }

  /** The variables' values when `uri` matches the template, else `undefined`. */
  match(uri: string): Record<string, string> | undefined {
    const found = this.pattern.exec(uri);
    if (found === null) return undefined;
    const values: Record<string, string> = {};
    this.groups.forEach((group, i) => {
      const text = found[i + 1];
      if (text === undefined) return;
      if ('name' in group) {
        values[group.name] = decode(text);
        return;
      }
      const params = new URLSearchParams(text.slice(1));
      for (const name of group.query) {
        const value = params.get(name);
        if (value !== null) values[name] = value;
      }
    });
    return values;
  }
}

/** One item of `resources/read` contents for `uri`: the declaration's MIME type and `_meta` (a view's `ui`) unless `content` has its own. */
function item(uri: string, definition: ResourceDefinition, content: JsonObject): JsonObject {
  const out: JsonObject = { uri };
  if (definition.mimeType) out.mimeType = definition.mimeType;
  if (definition._meta !== undefined) out._meta = definition._meta;
  return { ...out, ...content };
}

/** Static content as `resources/read` returns it. */
export function staticContents(uri: string, definition: ResourceDefinition, content: ResourceContent): JsonObject {
  return { contents: [item(uri, definition, content)] };
}

/**
 * Shapes what a flow answered into a `resources/read` result for `uri`:
 * `{ contents: [...] }` unchanged; a string its text; a Buffer its bytes (base64 `blob`);
 * `{ text }` or `{ blob }` one item (its own `uri`/`mimeType` kept); any other value its JSON text.
 * The declaration's MIME type (and `_meta`) is added where an item has none.
 */
export function readResult(payload: unknown, uri: string, definition: ResourceDefinition): JsonObject {
  if (typeof payload === 'object' && payload !== null && Array.isArray((payload as JsonObject).contents)) return payload as JsonObject;
  if (Buffer.isBuffer(payload)) return { contents: [item(uri, definition, { blob: payload.toString('base64') })] };
  if (typeof payload === 'string') return { contents: [item(uri, definition, { text: payload })] };
  if (typeof payload === 'object' && payload !== null && (typeof (payload as JsonObject).text === 'string' || typeof (payload as JsonObject).blob === 'string')) {
    return { contents: [item(uri, definition, payload as JsonObject)] };
  }
  return { contents: [item(uri, definition, { text: JSON.stringify(payload ?? null) })] };
}

/** The URIs each session subscribed to (`resources/subscribe`). */
export class Subscriptions {
  private readonly bySession = new Map<string, Set<string>>();

  subscribe(sessionId: string, uri: string): void {
    let uris = this.bySession.get(sessionId);
    if (uris === undefined) {
      uris = new Set();
      this.bySession.set(sessionId, uris);
    }
    uris.add(uri);
  }

  unsubscribe(sessionId: string, uri: string): void {
    this.bySession.get(sessionId)?.delete(uri);
  }

  /** True when the session subscribed to `uri`. */
  has(sessionId: string, uri: string): boolean {
    return this.bySession.get(sessionId)?.has(uri) ?? false;
  }

  /** Forgets a session that closed. */
  closeSession(sessionId: string): void {
    this.bySession.delete(sessionId);
  }
}
