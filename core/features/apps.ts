/**
 * MCP Apps (SEP-1865, extension `io.modelcontextprotocol/ui`, its spec `2026-01-26`): a view is a
 * resource with a `ui://` URI and the MIME type `text/html;profile=mcp-app`, whose `_meta.ui`
 * says what its sandbox may reach ("UI Resource Format"); a tool links its view with
 * `_meta.ui.resourceUri` (and the deprecated flat `_meta["ui/resourceUri"]` older hosts read) and
 * says who may call it with `_meta.ui.visibility` ("Resource Discovery"). The host renders the
 * view and keeps app-only tools from the model: the server only declares.
 *
 * Never imports Node-RED.
 */
import { isObject } from '../jsonrpc';
import { DeclarationError, type JsonObject, type ResourceDefinition, type ToolDefinition } from './declarations';

/** The extension's identifier, the key under `capabilities.extensions` (SEP-2133) on both sides. */
export const UI_EXTENSION = 'io.modelcontextprotocol/ui';
/** The MIME type of a view ("Content Requirements"). */
export const VIEW_MIME_TYPE = 'text/html;profile=mcp-app';
/** The deprecated flat key of a tool's view, which hosts older than the nested `_meta.ui` read. */
const LEGACY_RESOURCE_URI_KEY = 'ui/resourceUri';
/** Every view's URI starts with it. */
const VIEW_SCHEME = 'ui://';

/** The CSP lists of `_meta.ui.csp`: network requests, static resources, nested frames, `<base>`. */
export const CSP_LISTS = ['connectDomains', 'resourceDomains', 'frameDomains', 'baseUriDomains'] as const;
type CspList = typeof CSP_LISTS[number];
/** The sandbox permissions a view may ask for (`_meta.ui.permissions`), each sent as `{}`. */
export const VIEW_PERMISSIONS = ['camera', 'microphone', 'geolocation', 'clipboardWrite'] as const;
type ViewPermission = typeof VIEW_PERMISSIONS[number];
/** Who may call a tool: the model, the view (through the host), or both (the spec's default). */
export type Visibility = 'model' | 'app';

/** What a view's `_meta.ui` is made from, as typed in a dialog. */
export interface ViewSettings {
  /** Origins per CSP list; empty or absent lists are left out (the host's restrictive default). */
  csp?: Partial<Record<CspList, string[]>>;
  permissions?: ViewPermission[];
  /** `true`/`false` asks for a border or none; absent leaves it to the host. */
  prefersBorder?: boolean;
  /** A dedicated sandbox origin, in the host's own format (e.g. `a1b2.claudemcpcontent.com`). */
  domain?: string;
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/**
 * An origin a CSP list may name: `http`, `https`, `ws` or `wss`, a host (DNS name, optionally with
 * a leading `*.` wildcard subdomain, an IPv4 address, or `[IPv6]`), an optional port (or `:*`),
 * and nothing after it but an optional `/`. The dialog refuses the same (see {@link VIEW_PATTERNS}).
 */
const ORIGIN = new RegExp(`^(?:https?|wss?)://(?:(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*|\\[[0-9A-Fa-f:.]+\\])(?::(?:\\d{1,5}|\\*))?/?$`);
/** A view's `domain`: a host name, optionally as an origin (hosts differ: "Host-dependent"). */
const DOMAIN = new RegExp(`^(?:https?://)?${LABEL}(?:\\.${LABEL})*(?::\\d{1,5})?$`);

/**
 * The sources of the patterns above, for the editor: the view node publishes them as its exported
 * setting (`RED.settings.mcpSseViewPatterns`), and resources/mcp-editor.js makes its RegExps from
 * them, so that the dialog refuses exactly what a deploy refuses.
 */
export const VIEW_PATTERNS = { origin: ORIGIN.source, domain: DOMAIN.source } as const;

/** True for text a CSP list may carry (see {@link ORIGIN}); a port must be 1 to 65535. */
export function isCspOrigin(text: string): boolean {
  if (!ORIGIN.test(text)) return false;
  const port = /:(\d+)\/?$/.exec(text.replace(/^[a-z]+:\/\//i, ''));
  return port === null || (Number(port[1]) >= 1 && Number(port[1]) <= 65535);
}

/**
 * The `_meta.ui` of a view's resource (listed by `resources/list`, and on each item of its
 * `resources/read` contents): `csp` with the non-empty lists (a trailing `/` dropped),
 * `permissions` as `{ camera: {} }`, `domain` and `prefersBorder` when set. `{}` when nothing is.
 * @throws DeclarationError `invalid-definition` naming the list and the first entry that is not an
 *   origin, or a malformed domain: an entry such as `'unsafe-inline'` or `https://a.com; script-src *`
 *   would loosen the policy the host builds from these lists.
 */
export function viewMeta(settings: ViewSettings): JsonObject {
  const ui: JsonObject = {};
  const csp: JsonObject = {};
  for (const list of CSP_LISTS) {
    const origins = settings.csp?.[list] ?? [];
    const bad = origins.find((origin) => !isCspOrigin(origin));
    if (bad !== undefined) throw new DeclarationError('invalid-definition', `${list}: ${JSON.stringify(bad)} is not an origin (scheme://host[:port], e.g. https://api.example.com or https://*.example.com)`);
    if (origins.length > 0) csp[list] = origins.map((origin) => origin.replace(/\/$/, ''));
  }
  if (Object.keys(csp).length > 0) ui.csp = csp;
  const permissions = (settings.permissions ?? []).filter((p) => (VIEW_PERMISSIONS as readonly string[]).includes(p));
  if (permissions.length > 0) ui.permissions = Object.fromEntries(permissions.map((p) => [p, {}]));
  const domain = settings.domain?.trim() ?? '';
  if (domain !== '') {
    if (!DOMAIN.test(domain)) throw new DeclarationError('invalid-definition', `domain: ${JSON.stringify(domain)} is not a host name (e.g. a1b2c3.claudemcpcontent.com)`);
    ui.domain = domain;
  }
  if (settings.prefersBorder !== undefined) ui.prefersBorder = settings.prefersBorder;
  return ui;
}

/**
 * A tool's `_meta` for its view: `ui.resourceUri` and the flat `ui/resourceUri` when `resourceUri`
 * is set, and `ui.visibility`: as given, else `["model", "app"]` with a view. `undefined` for a
 * tool with neither (a plain tool carries no `_meta.ui`).
 */
export function toolViewMeta(resourceUri: string | undefined, visibility?: Visibility[]): JsonObject | undefined {
  const uri = resourceUri?.trim() ?? '';
  if (uri === '' && visibility === undefined) return undefined;
  const ui: JsonObject = {};
  if (uri !== '') ui.resourceUri = uri;
  ui.visibility = visibility ?? ['model', 'app'];
  return uri === '' ? { ui } : { ui, [LEGACY_RESOURCE_URI_KEY]: uri };
}

/** The view a tool links (`_meta.ui.resourceUri`, else the flat key), or `undefined`. */
export function linkedView(definition: ToolDefinition): string | undefined {
  const meta = definition._meta;
  if (!isObject(meta)) return undefined;
  const nested = isObject(meta.ui) ? meta.ui.resourceUri : undefined;
  const uri = typeof nested === 'string' ? nested : meta[LEGACY_RESOURCE_URI_KEY];
  return typeof uri === 'string' ? uri : undefined;
}

/** The tool as listed while its view is not declared: without either link key, the rest kept. */
export function withoutViewLink(definition: ToolDefinition): ToolDefinition {
  const meta = { ...(definition._meta as JsonObject) };
  delete meta[LEGACY_RESOURCE_URI_KEY];
  if (isObject(meta.ui)) {
    const ui = { ...meta.ui };
    delete ui.resourceUri;
    meta.ui = ui;
  }
  return { ...definition, _meta: meta };
}

/**
 * Checks a tool's view link and visibility.
 * @throws DeclarationError `invalid-definition` for a link that is not a `ui://` URI, or a
 *   visibility that is not a non-empty list of `model` and `app`.
 */
export function checkToolView(definition: ToolDefinition): void {
  const uri = linkedView(definition);
  if (uri !== undefined && !uri.startsWith(VIEW_SCHEME)) {
    throw new DeclarationError('invalid-definition', `The view of tool "${definition.name}" must be a ${VIEW_SCHEME} URI, not ${JSON.stringify(uri)}`);
  }
  const ui = isObject(definition._meta) && isObject(definition._meta.ui) ? definition._meta.ui : undefined;
  const visibility = ui?.visibility;
  if (visibility !== undefined && (!Array.isArray(visibility) || visibility.length === 0 || visibility.some((v) => v !== 'model' && v !== 'app'))) {
    throw new DeclarationError('invalid-definition', `The visibility of tool "${definition.name}" must list "model", "app" or both`);
  }
}

/** True for a resource declared as a view (its MIME type). */
export function isView(definition: ResourceDefinition): boolean {
  return definition.mimeType === VIEW_MIME_TYPE;
}

/**
 * Checks a view's resource: a `ui://` URI, not a template ("Content Requirements").
 * @throws DeclarationError `invalid-definition`.
 */
export function checkView(definition: ResourceDefinition): void {
  if (definition.uriTemplate !== undefined || typeof definition.uri !== 'string' || !definition.uri.startsWith(VIEW_SCHEME) || definition.uri.length === VIEW_SCHEME.length) {
    throw new DeclarationError('invalid-definition', `A view's URI must be a ${VIEW_SCHEME} URI such as ui://thermostat/panel, not ${JSON.stringify(definition.uri ?? definition.uriTemplate ?? '')}`);
  }
}
