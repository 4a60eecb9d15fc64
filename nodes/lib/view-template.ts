/**
 * The HTML of an `mcp sse view` typed in its dialog: a Mustache template filled on each
 * `resources/read` the way the core `template` node fills one, from a msg: `{{payload.room}}`
 * reads the last msg that came into the node, `{{flow.name}}` and `{{global.name}}` the flow and
 * global context (default store), `{{env.NAME}}` an environment variable. `{{x}}` is HTML-escaped,
 * `{{{x}}}` is not.
 */
import Mustache from 'mustache';
import type { Node, NodeAPI } from 'node-red';

/** The names a template looks up, sections and inverted sections included. */
function namesIn(tokens: unknown[], names = new Set<string>()): Set<string> {
  for (const token of tokens as Array<[string, string, number, number, unknown[]?]>) {
    if (token[0] === 'name' || token[0] === '&' || token[0] === '#' || token[0] === '^') names.add(token[1]);
    if (Array.isArray(token[4])) namesIn(token[4], names);
  }
  return names;
}

/**
 * Checks that `template` is Mustache that parses (unclosed tags and sections are refused).
 * @throws Error with Mustache's message.
 */
export function checkTemplate(template: string): void {
  Mustache.parse(template);
}

/** A value from the flow or global context (async stores included). */
function contextValue(node: Node, scope: 'flow' | 'global', key: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    (node.context()[scope].get as (key: string, cb: (error: Error | null, value: unknown) => void) => void)(key, (error, value) => {
      if (error) reject(error);
      else resolve(value);
    });
  });
}

/**
 * Fills `template` from `msg` (its properties first, as the core template node looks them up),
 * then `flow.*`, `global.*` and `env.*` for the names the template uses that the msg does not have.
 * @returns the HTML.
 * @throws Error when a context store fails.
 */
export async function renderView(RED: NodeAPI, node: Node, template: string, msg: Record<string, unknown>): Promise<string> {
  const view: Record<string, unknown> = { ...msg };
  for (const name of namesIn(Mustache.parse(template))) {
    const found = /^(flow|global|env)\.(.+)$/.exec(name);
    if (found === null || Object.prototype.hasOwnProperty.call(msg, found[1])) continue;
    const [, scope, key] = found as unknown as [string, 'flow' | 'global' | 'env', string];
    const value = scope === 'env' ? RED.util.evaluateNodeProperty(key, 'env', node, {} as never) : await contextValue(node, scope, key);
    if (typeof view[scope] !== 'object' || view[scope] === null) view[scope] = {};
    RED.util.setObjectProperty(view[scope] as never, key, value, true);
  }
  return Mustache.render(template, view);
}
