/**
 * The declarations of one endpoint: tools by name, resources by URI, resource templates by URI
 * template, prompts by name, each checked when declared, and the lists `tools/list`,
 * `resources/list`, `resources/templates/list` and `prompts/list` give (sorted, so pages are stable).
 *
 * Never imports Node-RED.
 */
import { DeclarationError, declarationKey, type Declaration, type DeclarationKind, type JsonObject, type PromptDeclaration, type ResourceDeclaration, type ToolDeclaration } from './declarations';
import { compileTool, type ToolValidators } from './tools';
import { UriTemplate } from './resources';
import { checkPrompt } from './prompts';
import { checkToolView, checkView, isView, linkedView, withoutViewLink } from './apps';

/** A declared tool and its compiled schemas. */
interface DeclaredTool {
  declaration: ToolDeclaration;
  validators: ToolValidators;
}

/** A declared resource template and its matcher. */
interface DeclaredTemplate {
  declaration: ResourceDeclaration;
  template: UriTemplate;
}

/** The lists the catalog gives; list-changed notifications compare them. */
export type ListName = 'tools' | 'resources' | 'prompts';

/** A tool whose Task setting lets its calls become MCP tasks (`optional` or `always`). */
function isTaskTool(declaration: ToolDeclaration): boolean {
  return declaration.taskSupport !== undefined && declaration.taskSupport !== 'never';
}

function byKey<T extends Declaration>(a: T, b: T): number {
  const ka = declarationKey(a);
  const kb = declarationKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Every declaration of one endpoint. */
export class Catalog {
  private readonly tools = new Map<string, DeclaredTool>();
  private readonly resources = new Map<string, { declaration: ResourceDeclaration }>();
  private readonly templates = new Map<string, DeclaredTemplate>();
  private readonly prompts = new Map<string, { declaration: PromptDeclaration }>();
  /** The number of resources that are views, kept as they come and go (read on every initialize, discover and listen). */
  private viewCount = 0;
  /** Declared tools whose Task setting is not `never`: read on every client request (`hasTaskTools`). */
  private taskToolCount = 0;

  /** The number of declarations of each kind. */
  count(kind: DeclarationKind): number {
    if (kind === 'tool') return this.tools.size;
    if (kind === 'prompt') return this.prompts.size;
    return this.resources.size + this.templates.size;
  }

  /** True when a prompt or resource template answers `completion/complete`. */
  get completions(): boolean {
    for (const { declaration: prompt } of this.prompts.values()) {
      if (prompt.completeByFlow === true || (prompt.completions !== undefined && Object.keys(prompt.completions).length > 0)) return true;
    }
    return this.templates.size > 0;
  }

  /**
   * Adds a declaration after checking it (schemas compiled, template parsed).
   * @returns the list it changes, and the function that removes it again.
   * @throws DeclarationError `duplicate` when another owner declared the same name or URI on this
   *   endpoint; `invalid-schema` or `invalid-definition` as its checks say.
   */
  add(declaration: Declaration): { list: ListName; remove: () => void } {
    const key = declarationKey(declaration);
    if (declaration.kind === 'tool') {
      checkToolView(declaration.definition);
      const entry = { declaration, validators: compileTool(declaration.definition) };
      return { list: 'tools', remove: this.putCounted(this.tools, key, entry, 'tool', (e) => isTaskTool(e.declaration), (d) => { this.taskToolCount += d; }) };
    }
    if (declaration.kind === 'prompt') {
      checkPrompt(declaration);
      return { list: 'prompts', remove: this.put(this.prompts, key, { declaration }, 'prompt') };
    }
    const { uri, uriTemplate, name } = declaration.definition;
    if (typeof name !== 'string' || name.trim() === '') throw new DeclarationError('invalid-definition', 'A resource needs a name');
    if (isView(declaration.definition)) checkView(declaration.definition);
    if (uriTemplate !== undefined && uriTemplate !== '') {
      let template: UriTemplate;
      try {
        template = new UriTemplate(uriTemplate);
      } catch (error) {
        throw new DeclarationError('invalid-definition', (error as Error).message);
      }
      return { list: 'resources', remove: this.put(this.templates, key, { declaration, template }, 'resource template') };
    }
    if (typeof uri !== 'string' || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) {
      throw new DeclarationError('invalid-definition', `Resource URI ${JSON.stringify(uri ?? '')} must be an absolute URI such as file:///notes.txt or docs://readme`);
    }
    return { list: 'resources', remove: this.putCounted(this.resources, key, { declaration }, 'resource', (e) => isView(e.declaration.definition), (d) => { this.viewCount += d; }) };
  }

  /**
   * {@link put}, keeping a count of the entries `counted` picks right as entries come and go
   * (`add` changes it by +1 or -1): the views among the resources, the task tools among the tools.
   */
  private putCounted<T extends { declaration: Declaration }>(map: Map<string, T>, key: string, entry: T, what: string, counted: (entry: T) => boolean, add: (delta: number) => void): () => void {
    const replaced = map.get(key);
    const remove = this.put(map, key, entry, what);
    // (The same owner declaring again replaces its entry; the replaced entry's remove then does nothing.)
    if (replaced !== undefined && counted(replaced)) add(-1);
    if (counted(entry)) add(1);
    return () => {
      if (map.get(key) !== entry) return;
      remove();
      if (counted(entry)) add(-1);
    };
  }

  private put<T extends { declaration: Declaration }>(map: Map<string, T>, key: string, entry: T, what: string): () => void {
    const current = map.get(key);
    if (current !== undefined && current.declaration.owner !== entry.declaration.owner) {
      throw new DeclarationError('duplicate', `The ${what} ${JSON.stringify(key)} is already declared on this endpoint by node ${current.declaration.owner}`);
    }
    map.set(key, entry);
    return () => {
      if (map.get(key) === entry) map.delete(key);
    };
  }

  /** True when some declared tool has a Task setting other than `never` (MCP tasks). */
  get hasTaskTools(): boolean {
    return this.taskToolCount > 0;
  }

  /** The declared tool `name`. */
  tool(name: unknown): DeclaredTool | undefined {
    return typeof name === 'string' ? this.tools.get(name) : undefined;
  }

  /** The prompt `name`. */
  prompt(name: unknown): PromptDeclaration | undefined {
    return typeof name === 'string' ? this.prompts.get(name)?.declaration : undefined;
  }

  /** The template declared as `uriTemplate` (for completion references). */
  template(uriTemplate: unknown): DeclaredTemplate | undefined {
    return typeof uriTemplate === 'string' ? this.templates.get(uriTemplate) : undefined;
  }

  /**
   * The declaration that serves `uri`: a resource with that exact URI, else the first template
   * (by template text) that matches it, with the variables read from it.
   */
  resource(uri: unknown): { declaration: ResourceDeclaration; variables: Record<string, string> } | undefined {
    if (typeof uri !== 'string') return undefined;
    const exact = this.resources.get(uri);
    if (exact !== undefined) return { declaration: exact.declaration, variables: {} };
    for (const key of [...this.templates.keys()].sort()) {
      const entry = this.templates.get(key) as DeclaredTemplate;
      const variables = entry.template.match(uri);
      if (variables !== undefined) return { declaration: entry.declaration, variables };
    }
    return undefined;
  }

  /** The number of views declared (MCP Apps: resources of the view MIME type). */
  get views(): number {
    return this.viewCount;
  }

  /**
   * MCP Apps: each tool that links a view, with the URI and whether a view is declared there.
   */
  viewLinks(): Array<{ declaration: ToolDeclaration; uri: string; declared: boolean }> {
    const links: Array<{ declaration: ToolDeclaration; uri: string; declared: boolean }> = [];
    for (const { declaration } of this.tools.values()) {
      const uri = linkedView(declaration.definition);
      if (uri !== undefined) links.push({ declaration, uri, declared: this.isViewDeclared(uri) });
    }
    return links;
  }

  private isViewDeclared(uri: string): boolean {
    const resource = this.resources.get(uri);
    return resource !== undefined && isView(resource.declaration.definition);
  }

  /**
   * The definitions of one list, sorted by name or URI: `tools`, `resources`, `templates` or
   * `prompts`. A tool whose view is not declared is listed without the link (never a dead one).
   */
  list(which: 'tools' | 'resources' | 'templates' | 'prompts'): JsonObject[] {
    if (which === 'tools') {
      return [...this.tools.values()].map((t) => t.declaration).sort(byKey).map(({ definition }) => {
        const uri = linkedView(definition);
        return uri === undefined || this.isViewDeclared(uri) ? definition : withoutViewLink(definition);
      });
    }
    if (which === 'prompts') return [...this.prompts.values()].map((p) => p.declaration).sort(byKey).map((d) => d.definition);
    if (which === 'templates') return [...this.templates.values()].map((t) => t.declaration).sort(byKey).map((d) => d.definition);
    return [...this.resources.values()].map((r) => r.declaration).sort(byKey).map((d) => d.definition);
  }

  /** What a list looks like to a client now, to tell whether a deploy changed it. */
  signature(list: ListName): string {
    if (list === 'resources') return JSON.stringify([this.list('resources'), this.list('templates')]);
    return JSON.stringify(this.list(list));
  }
}
