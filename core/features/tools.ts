/**
 * Tools (MCP 2025-11-25 "Server Features > Tools"): checking a declared tool's schemas when it is
 * declared, checking a call's arguments against its input schema, and shaping what a flow answers
 * into a `CallToolResult`.
 *
 * Schemas are JSON Schema 2020-12, the spec's default dialect, unless their `$schema` names
 * draft-07, checked with ajv. Formats (`"format": "email"`) are not checked.
 *
 * Never imports Node-RED.
 */
import Ajv2020 from 'ajv/dist/2020';
import AjvDraft07, { type ValidateFunction, type ErrorObject } from 'ajv';
import { isObject } from '../jsonrpc';
import { DeclarationError, type JsonObject, type ToolDefinition } from './declarations';

/** The validators of one declared tool. */
export interface ToolValidators {
  input: ValidateFunction;
  output?: ValidateFunction;
}

const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;

/**
 * Compiles a schema. A fresh ajv instance per schema: deploys compile new schemas, and one shared
 * instance would keep every one of them (and refuse a repeated `$id`).
 * @throws DeclarationError `invalid-schema` naming what is wrong.
 */
function compile(schema: unknown, what: string): ValidateFunction {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new DeclarationError('invalid-schema', `${what} must be a JSON object`);
  }
  if ((schema as JsonObject).type !== 'object') {
    throw new DeclarationError('invalid-schema', `${what} must have "type": "object"`);
  }
  const draft07 = typeof (schema as JsonObject).$schema === 'string' && DRAFT_07.test((schema as JsonObject).$schema as string);
  const options = { strict: false, allErrors: true, validateFormats: false };
  const ajv = draft07 ? new AjvDraft07(options) : new Ajv2020(options);
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new DeclarationError('invalid-schema', `${what} is not valid JSON Schema ${draft07 ? 'draft-07' : '2020-12'}: ${(error as Error).message}`);
  }
}

/**
 * Checks a tool definition and compiles its schemas.
 * @throws DeclarationError `invalid-definition` for a missing name, `invalid-schema` for a schema
 *   that is not an object schema ajv accepts.
 */
export function compileTool(definition: ToolDefinition): ToolValidators {
  if (typeof definition.name !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(definition.name)) {
    throw new DeclarationError('invalid-definition', `Tool name ${JSON.stringify(definition.name)} must be 1 to 128 letters, digits, _ - or .`);
  }
  const input = compile(definition.inputSchema, `The input schema of tool "${definition.name}"`);
  const output = definition.outputSchema === undefined ? undefined : compile(definition.outputSchema, `The output schema of tool "${definition.name}"`);
  return { input, output };
}

/** ajv's errors as one sentence: `arguments/a must be number; arguments must have required property 'b'`. */
function describeErrors(errors: ErrorObject[] | null | undefined, root: string): string {
  return (errors ?? []).map((e) => {
    const at = root + e.instancePath;
    if (e.keyword === 'additionalProperties') return `${at} must not have property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
    if (e.keyword === 'enum') return `${at} must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    return `${at} ${e.message ?? 'is invalid'}`;
  }).join('; ');
}

/** A tool result that reports an error to the model (not a JSON-RPC error), so it can correct itself. */
function toolError(text: string): JsonObject {
  return { content: [{ type: 'text', text }], isError: true };
}

/**
 * Checks a call's `arguments` (a missing one is `{}`) against the tool's input schema.
 * @returns the arguments, or the tool error result naming what is wrong.
 */
export function checkArguments(name: string, validators: ToolValidators, args: unknown): { ok: true; args: JsonObject } | { ok: false; result: JsonObject; message: string } {
  const value = args === undefined ? {} : args;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const message = `Invalid arguments for tool ${name}: arguments must be an object`;
    return { ok: false, result: toolError(message), message };
  }
  if (validators.input(value)) return { ok: true, args: value as JsonObject };
  const message = `Invalid arguments for tool ${name}: ${describeErrors(validators.input.errors, 'arguments')}`;
  return { ok: false, result: toolError(message), message };
}

/**
 * Shapes what a flow answered into a `CallToolResult`:
 * - `failure` (a Catch node's `msg.error.message`) becomes an error result with that text;
 * - `{ content: [...] }` goes out unchanged (with `isError`, `structuredContent`, `_meta` if set);
 * - `{ isError: true, ... }` without content becomes an error result whose text is its `message`
 *   (or its JSON);
 * - a string, number or boolean becomes one text item; a Buffer its UTF-8 text;
 * - any other value, with an output schema, becomes `structuredContent` plus its JSON text (an
 *   error result when it does not match the schema); without one, its JSON text.
 */
export function toolResult(payload: unknown, validators: ToolValidators | undefined, failure?: string): JsonObject {
  if (failure !== undefined) return toolError(failure);
  if (isObject(payload) && Array.isArray(payload.content)) return payload;
  if (isObject(payload) && payload.isError === true) {
    const text = typeof payload.message === 'string' ? payload.message : JSON.stringify(payload);
    return toolError(text);
  }
  if (typeof payload === 'string' || typeof payload === 'number' || typeof payload === 'boolean') {
    return { content: [{ type: 'text', text: String(payload) }] };
  }
  if (Buffer.isBuffer(payload)) return { content: [{ type: 'text', text: payload.toString('utf8') }] };
  if (payload === undefined || payload === null) return { content: [] };
  const text = JSON.stringify(payload);
  const output = validators?.output;
  if (output === undefined) return { content: [{ type: 'text', text }] };
  if (!output(payload)) return toolError(`The tool's answer does not match its output schema: ${describeErrors(output.errors, 'result')}`);
  return { content: [{ type: 'text', text }], structuredContent: payload };
}
