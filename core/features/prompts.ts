/**
 * Prompts and completion (MCP 2025-11-25 "Server Features > Prompts", "Utilities > Completion"):
 * filling a prompt's Mustache template, checking required arguments, shaping what a flow answers
 * into a `prompts/get` result, and completion values.
 *
 * Never imports Node-RED.
 */
import Mustache from 'mustache';
import { DeclarationError, type JsonObject, type PromptDeclaration } from './declarations';

/** Most completion values in one answer (the spec's limit). */
const MAX_COMPLETION_VALUES = 100;

/**
 * Checks a prompt declaration: a name, argument names, and a template Mustache can parse.
 * @throws DeclarationError `invalid-definition` naming what is wrong.
 */
export function checkPrompt(declaration: PromptDeclaration): void {
  const { name } = declaration.definition;
  if (typeof name !== 'string' || name.trim() === '') throw new DeclarationError('invalid-definition', 'A prompt needs a name');
  for (const arg of declaration.definition.arguments ?? []) {
    if (typeof arg.name !== 'string' || arg.name.trim() === '') throw new DeclarationError('invalid-definition', `Prompt "${name}" has an argument without a name`);
  }
  if (declaration.template !== undefined) {
    try {
      Mustache.parse(declaration.template);
    } catch (error) {
      throw new DeclarationError('invalid-definition', `The template of prompt "${name}" is not valid Mustache: ${(error as Error).message}`);
    }
  }
}

/** The required arguments a `prompts/get` left out, by name. */
export function missingArguments(declaration: PromptDeclaration, args: JsonObject): string[] {
  return (declaration.definition.arguments ?? []).filter((a) => a.required === true && (args[a.name] === undefined || args[a.name] === '')).map((a) => a.name);
}

/** The prompt's template filled with the arguments (no HTML escaping), as one message. */
export function renderPrompt(declaration: PromptDeclaration, args: JsonObject): JsonObject {
  const text = Mustache.render(declaration.template ?? '', args, {}, { escape: (value: unknown) => String(value) });
  const result: JsonObject = { messages: [{ role: declaration.role ?? 'user', content: { type: 'text', text } }] };
  if (declaration.definition.description) result.description = declaration.definition.description;
  return result;
}

/**
 * Shapes what a flow answered into a `prompts/get` result: `{ messages: [...] }` unchanged; an
 * array of messages as the messages; a string one user message of that text; any other value one
 * user message of its JSON text.
 */
export function promptResult(payload: unknown, declaration: PromptDeclaration): JsonObject {
  if (typeof payload === 'object' && payload !== null && Array.isArray((payload as JsonObject).messages)) return payload as JsonObject;
  if (Array.isArray(payload)) return { messages: payload };
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
  return { messages: [{ role: declaration.role ?? 'user', content: { type: 'text', text } }] };
}

/**
 * A `completion/complete` result from a list of values: those starting with `prefix`
 * (case-insensitive), at most {@link MAX_COMPLETION_VALUES}, with `total` and `hasMore`.
 */
export function completionFrom(values: unknown[], prefix: string): JsonObject {
  const lower = prefix.toLowerCase();
  const matching = values.map(String).filter((v) => v.toLowerCase().startsWith(lower));
  return { completion: { values: matching.slice(0, MAX_COMPLETION_VALUES), total: matching.length, hasMore: matching.length > MAX_COMPLETION_VALUES } };
}

/**
 * Shapes what a completion flow answered: `{ completion: {...} }` unchanged; an array as the values
 * (filtered by `prefix`); `{ values, total?, hasMore? }` as the completion.
 */
export function completionResult(payload: unknown, prefix: string): JsonObject {
  if (Array.isArray(payload)) return completionFrom(payload, prefix);
  if (typeof payload === 'object' && payload !== null) {
    const value = payload as JsonObject;
    if (typeof value.completion === 'object' && value.completion !== null) return value;
    if (Array.isArray(value.values)) return { completion: { ...value, values: value.values.slice(0, MAX_COMPLETION_VALUES) } };
  }
  return { completion: { values: [] } };
}
