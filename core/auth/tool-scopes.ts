/**
 * Per-tool scopes: the OAuth scopes a `tools/call` of a tool needs on top of the endpoint's own
 * (MCP 2025-11-25 "Authorization > Scope Challenge Handling": a call without them is answered 403
 * `insufficient_scope` and never reaches the tool).
 *
 * One table per endpoint, filled from more than one source: the endpoint's own list (text lines
 * `tool: scope1 scope2`), and any node that declares a tool ({@link ToolScopes.declare}); a tool
 * needs the union of what every source asks for it. A source that goes away (a node closing on a
 * redeploy) removes its declaration with the function `declare` returned.
 *
 * Never imports Node-RED.
 */

/** One tool's scopes from one source. */
interface Declaration {
  scopes: readonly string[];
}

/** Thrown by {@link parseToolScopes} for a line that is not `tool: scope ...`. */
export class ToolScopesSyntaxError extends TypeError {
  constructor(readonly line: number, text: string) {
    super(`Tool scopes, line ${line}: expected "tool: scope1 scope2", got ${JSON.stringify(text.slice(0, 80))}`);
    this.name = 'ToolScopesSyntaxError';
  }
}

/**
 * Reads a tool scope list: one tool per line, `name: scope1 scope2` (the first `:` ends the name;
 * scopes are separated by spaces or commas); blank lines and lines starting with `#` are skipped. A tool named twice gets both
 * lines' scopes.
 * @returns scopes by tool name.
 * @throws ToolScopesSyntaxError for a line without `:`, with no tool name or one with spaces, or
 *   with no scope.
 */
export function parseToolScopes(text: string): Map<string, string[]> {
  const table = new Map<string, string[]>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    // Tool names have no colon (MCP 2025-11-25 "Tools > Tool Names"); scopes may (`mcp:tools`).
    const colon = line.indexOf(':');
    const tool = colon === -1 ? '' : line.slice(0, colon).trim();
    const scopes = colon === -1 ? [] : line.slice(colon + 1).split(/[\s,]+/).filter((s) => s !== '');
    if (!/^\S+$/.test(tool) || scopes.length === 0) throw new ToolScopesSyntaxError(index + 1, line);
    table.set(tool, [...new Set([...(table.get(tool) ?? []), ...scopes])]);
  });
  return table;
}

/** The scopes each tool of an endpoint needs. */
export class ToolScopes {
  private readonly byTool = new Map<string, Set<Declaration>>();

  /**
   * Declares that calling `tool` needs `scopes`. The API for any source of tools: the endpoint's
   * list, and nodes that declare a tool and its scopes.
   * @returns the function that withdraws this declaration (idempotent).
   */
  declare(tool: string, scopes: readonly string[]): () => void {
    const declaration: Declaration = { scopes: [...scopes] };
    let set = this.byTool.get(tool);
    if (set === undefined) {
      set = new Set();
      this.byTool.set(tool, set);
    }
    set.add(declaration);
    return () => {
      const current = this.byTool.get(tool);
      if (current === undefined || !current.delete(declaration)) return;
      if (current.size === 0) this.byTool.delete(tool);
    };
  }

  /** Declares every tool of a table from {@link parseToolScopes}; returns the function that withdraws them all. */
  declareAll(table: ReadonlyMap<string, readonly string[]>): () => void {
    const removers = [...table].map(([tool, scopes]) => this.declare(tool, scopes));
    return () => {
      for (const remove of removers) remove();
    };
  }

  /** The scopes a call of `tool` needs: the union of its declarations, in the order first declared. */
  required(tool: string): string[] {
    const out = new Set<string>();
    for (const declaration of this.byTool.get(tool) ?? []) for (const scope of declaration.scopes) out.add(scope);
    return [...out];
  }

  /** Every scope any tool needs (for `scopes_supported`). */
  all(): string[] {
    const out = new Set<string>();
    for (const set of this.byTool.values()) for (const declaration of set) for (const scope of declaration.scopes) out.add(scope);
    return [...out];
  }
}
