/**
 * The tool dialog's parameters table, its model (resources/mcp-schema-rows.js): rows → input
 * schema, and input schema → rows or the reason the table cannot show it. The file runs as the
 * editor runs it, in a context of its own with a `window`; test/browser/parameters.test.ts drives
 * the same code in the real editor.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import fc from 'fast-check';
import { PACKAGE_ROOT } from '../support/node-red';

interface Row { name: string; type: string; required: boolean; description: string; default: string; values: string; minimum: string; maximum: string }
interface Frame { $schema?: string; additionalProperties?: boolean }
interface Problem { row: number; field: string; problem: string }
interface Refusal { reason: string; keyword?: string; property?: string; message?: string }
interface SchemaRows {
  TYPES: string[];
  emptyRow(): Row;
  rowsToSchema(rows: Array<Partial<Row>>, frame?: Frame): { schema: Record<string, unknown>; problems: Problem[] };
  schemaToRows(schema: unknown): { rows: Row[]; frame: Frame } | { refusal: Refusal };
  textToRows(text: string): { rows: Row[]; frame: Frame } | { refusal: Refusal };
}

const context: { window: { mcpSseSchemaRows?: SchemaRows } } = { window: {} };
vm.runInNewContext(readFileSync(path.join(PACKAGE_ROOT as string, 'resources', 'mcp-schema-rows.js'), 'utf8'), context);
const inContext = context.window.mcpSseSchemaRows as SchemaRows;
/** Its answers as this realm's objects (deepStrictEqual tells the context's objects apart from ours). */
const own = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const model = {
  TYPES: own(inContext.TYPES),
  rowsToSchema: (rows: Array<Partial<Row>>, frame?: Frame) => own(inContext.rowsToSchema(rows.map((r) => ({ ...own(inContext.emptyRow()), ...r })), frame)),
  schemaToRows: (schema: unknown) => own(inContext.schemaToRows(schema)),
  textToRows: (text: string) => own(inContext.textToRows(text)),
};
/** A row with the fields not given blank, as the table reads a row. */
const row = (fields: Partial<Row>): Row => ({ ...own(inContext.emptyRow()), ...fields });
/** The rows of a schema the table shows; fails when it refuses it. */
function rowsOf(schema: unknown): { rows: Row[]; frame: Frame } {
  const answer = model.schemaToRows(schema);
  assert.ok('rows' in answer, `the table shows ${JSON.stringify(schema)}: ${JSON.stringify(answer)}`);
  return answer;
}
/** Why the table refuses a schema; fails when it shows it. */
function refusalOf(schema: unknown): Refusal {
  const answer = model.schemaToRows(schema);
  assert.ok('refusal' in answer, `the table refuses ${JSON.stringify(schema)}`);
  return answer.refusal;
}

/** The input schema of a tool of examples/tools.json, as saved. */
function exampleSchema(tool: string): unknown {
  const flow = JSON.parse(readFileSync(path.join(PACKAGE_ROOT as string, 'examples', 'tools.json'), 'utf8')) as Array<{ type: string; name?: string; inputSchema?: string }>;
  const node = flow.find((n) => n.type === 'mcp-sse-tool' && n.name === tool);
  assert.ok(node?.inputSchema, `examples/tools.json declares ${tool}`);
  return JSON.parse(node.inputSchema);
}

describe('the parameters table of the tool dialog: rows to input schema', () => {
  it('writes an object schema with a property per row, in row order, required ones listed', () => {
    const { schema, problems } = model.rowsToSchema([
      { name: 'city', type: 'string', required: true, description: 'The city, e.g. Paris' },
      { name: 'days', type: 'integer', default: '3' },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(schema, {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'The city, e.g. Paris' },
        days: { type: 'integer', default: 3 },
      },
      required: ['city'],
    });
    assert.deepEqual(Object.keys(schema.properties as object), ['city', 'days']);
  });

  it('writes each type: enum values, arrays of each type, boolean and number defaults, a range', () => {
    const { schema, problems } = model.rowsToSchema([
      { name: 'unit', type: 'enum', values: 'celsius, fahrenheit', default: 'celsius' },
      { name: 'tags', type: 'string[]' },
      { name: 'scores', type: 'number[]', description: 'Scores' },
      { name: 'ids', type: 'integer[]' },
      { name: 'flags', type: 'boolean[]' },
      { name: 'days', type: 'enum[]', values: 'mon,tue , wed' },
      { name: 'verbose', type: 'boolean', default: 'false' },
      { name: 'ratio', type: 'number', default: '0.5', minimum: '0', maximum: '1e0' },
      { name: 'count', type: 'integer', minimum: '-2' },
    ], { additionalProperties: false });
    assert.deepEqual(problems, []);
    assert.deepEqual(schema, {
      type: 'object',
      properties: {
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
        tags: { type: 'array', items: { type: 'string' } },
        scores: { type: 'array', items: { type: 'number' }, description: 'Scores' },
        ids: { type: 'array', items: { type: 'integer' } },
        flags: { type: 'array', items: { type: 'boolean' } },
        days: { type: 'array', items: { type: 'string', enum: ['mon', 'tue', 'wed'] } },
        verbose: { type: 'boolean', default: false },
        ratio: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
        count: { type: 'integer', minimum: -2 },
      },
      additionalProperties: false,
    });
  });

  it('leaves out rows without a name, and the second row of a name, and says which', () => {
    const { schema, problems } = model.rowsToSchema([
      { name: '  ' },
      { name: 'a', type: 'number' },
      { name: 'a ', type: 'string', required: true },
    ]);
    assert.deepEqual(schema, { type: 'object', properties: { a: { type: 'number' } } });
    assert.deepEqual(problems, [{ row: 2, field: 'name', problem: 'duplicate' }]);
  });

  it('leaves out a field that is not a value of its row\'s type, and says which', () => {
    const { schema, problems } = model.rowsToSchema([
      { name: 'n', type: 'number', default: 'three', minimum: '1', maximum: 'x' },
      { name: 'i', type: 'integer', default: '3.5' },
      { name: 'e', type: 'enum', values: 'a, b', default: 'c' },
      { name: 'f', type: 'enum', values: ' , ' },
    ]);
    assert.deepEqual(schema, {
      type: 'object',
      properties: { n: { type: 'number', minimum: 1 }, i: { type: 'integer' }, e: { type: 'string', enum: ['a', 'b'] }, f: { type: 'string' } },
    });
    assert.deepEqual(problems, [
      { row: 0, field: 'maximum', problem: 'number' },
      { row: 0, field: 'default', problem: 'number' },
      { row: 1, field: 'default', problem: 'integer' },
      { row: 2, field: 'default', problem: 'notListed' },
      { row: 3, field: 'values', problem: 'noValues' },
    ]);
  });

  it('keeps $schema as it was, and a parameter named __proto__ as a parameter', () => {
    const { schema } = model.rowsToSchema([{ name: '__proto__', type: 'string' }], { $schema: 'http://json-schema.org/draft-07/schema#' });
    assert.equal(JSON.stringify(schema), '{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"__proto__":{"type":"string"}}}');
  });
});

describe('the parameters table of the tool dialog: input schema to rows', () => {
  it('shows the add tool of the examples as two rows, a and b, numbers, required, and writes them back as they were', () => {
    const add = exampleSchema('add');
    const { rows, frame } = rowsOf(add);
    assert.deepEqual(rows, [
      row({ name: 'a', type: 'number', required: true, description: 'First number' }),
      row({ name: 'b', type: 'number', required: true, description: 'Second number' }),
    ]);
    assert.deepEqual(model.rowsToSchema(rows, frame), { schema: add, problems: [] });
  });

  it('shows the weather tool of the examples with its ranges, refusing other arguments, and writes it back as it was', () => {
    const weather = exampleSchema('weather');
    const { rows, frame } = rowsOf(weather);
    assert.deepEqual(rows, [
      row({ name: 'latitude', type: 'number', required: true, description: 'Latitude in degrees', minimum: '-90', maximum: '90' }),
      row({ name: 'longitude', type: 'number', required: true, description: 'Longitude in degrees', minimum: '-180', maximum: '180' }),
    ]);
    assert.deepEqual(frame, { additionalProperties: false });
    assert.equal(JSON.stringify(model.rowsToSchema(rows, frame).schema, null, 2), JSON.stringify(weather, null, 2), 'the same text, key order included');
  });

  it('shows a new tool\'s schema (the dialog\'s default) and one without properties or required as no rows', () => {
    assert.deepEqual(model.textToRows('{\n  "type": "object",\n  "properties": {},\n  "required": []\n}'), { rows: [], frame: {} });
    assert.deepEqual(model.schemaToRows({ type: 'object' }), { rows: [], frame: {} });
  });

  it('shows a schema whatever the order of its keys and of required', () => {
    const { rows } = rowsOf({ required: ['b', 'a'], properties: { a: { description: 'A', type: 'string' }, b: { type: 'boolean', default: true } }, type: 'object' });
    assert.deepEqual(rows, [row({ name: 'a', type: 'string', required: true, description: 'A' }), row({ name: 'b', type: 'boolean', required: true, default: 'true' })]);
  });

  it('keeps $schema', () => {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { q: { type: 'string' } } };
    const { rows, frame } = rowsOf(schema);
    assert.deepEqual(model.rowsToSchema(rows, frame).schema, schema);
  });

  it('refuses what it cannot show, naming the keyword and the property', () => {
    const object = (properties: object, more: object = {}) => ({ type: 'object', properties, ...more });
    const cases: Array<[unknown, Refusal]> = [
      [object({ a: { type: 'string' } }, { oneOf: [{ required: ['a'] }] }), { reason: 'keyword', keyword: 'oneOf' }],
      [object({}, { anyOf: [] }), { reason: 'keyword', keyword: 'anyOf' }],
      [object({}, { allOf: [] }), { reason: 'keyword', keyword: 'allOf' }],
      [object({ a: { $ref: '#/$defs/a' } }, { $defs: { a: { type: 'string' } } }), { reason: 'keyword', keyword: '$defs' }],
      [object({ a: { $ref: '#/definitions/a' } }), { reason: 'keyword', keyword: '$ref', property: 'a' }],
      [object({ a: { type: 'string', oneOf: [] } }), { reason: 'keyword', keyword: 'oneOf', property: 'a' }],
      [object({ where: { type: 'object', properties: { city: { type: 'string' } } } }), { reason: 'nested', keyword: 'type', property: 'where' }],
      [object({ list: { type: 'array', items: { type: 'object' } } }), { reason: 'arrayOfObjects', keyword: 'type', property: 'list' }],
      [object({ grid: { type: 'array', items: { type: 'array' } } }), { reason: 'arrayOfArrays', keyword: 'items', property: 'grid' }],
      [object({ list: { type: 'array' } }), { reason: 'keyword', keyword: 'items', property: 'list' }],
      [object({ list: { type: 'array', items: { type: 'string' }, minItems: 1 } }), { reason: 'keyword', keyword: 'minItems', property: 'list' }],
      [object({ list: { type: 'array', items: { type: 'string', pattern: 'x' } } }), { reason: 'keyword', keyword: 'pattern', property: 'list' }],
      [object({ list: { type: 'array', items: { type: 'string' }, default: [] } }), { reason: 'keyword', keyword: 'default', property: 'list' }],
      [object({}, { additionalProperties: true }), { reason: 'keyword', keyword: 'additionalProperties' }],
      [object({}, { additionalProperties: { type: 'string' } }), { reason: 'keyword', keyword: 'additionalProperties' }],
      [object({ email: { type: 'string', format: 'email' } }), { reason: 'keyword', keyword: 'format', property: 'email' }],
      [object({ code: { type: 'string', pattern: '^[A-Z]+$' } }), { reason: 'keyword', keyword: 'pattern', property: 'code' }],
      [object({ name: { type: 'string', title: 'Name' } }), { reason: 'keyword', keyword: 'title', property: 'name' }],
      [object({ name: { type: 'string', minimum: 1 } }), { reason: 'keyword', keyword: 'minimum', property: 'name' }],
      [object({ x: { type: ['string', 'null'] } }), { reason: 'typeList', keyword: 'type', property: 'x' }],
      [object({ x: { description: 'no type' } }), { reason: 'keyword', keyword: 'type', property: 'x' }],
      [object({ x: { type: 'null' } }), { reason: 'keyword', keyword: 'type', property: 'x' }],
      [object({ x: true }), { reason: 'keyword', keyword: 'properties', property: 'x' }],
      [object({ level: { type: 'integer', enum: [1, 2, 3] } }), { reason: 'enumValue', keyword: 'enum', property: 'level' }],
      [object({ pick: { type: 'string', enum: ['a,b', 'c'] } }), { reason: 'enumValue', keyword: 'enum', property: 'pick' }],
      [object({ pick: { type: 'string', enum: [' a'] } }), { reason: 'enumValue', keyword: 'enum', property: 'pick' }],
      [object({ s: { type: 'string', default: '' } }), { reason: 'keyword', keyword: 'default', property: 's' }],
      [object({ s: { type: 'string', default: null } }), { reason: 'keyword', keyword: 'default', property: 's' }],
      [object({ a: { type: 'string' } }, { required: ['b'] }), { reason: 'keyword', keyword: 'required' }],
      [object({}, { title: 'Arguments' }), { reason: 'keyword', keyword: 'title' }],
      [{ type: 'string' }, { reason: 'notObject' }],
      [[], { reason: 'notObject' }],
      // The rows would not give it back: a default of the wrong type, a name with spaces around it.
      [object({ n: { type: 'number', default: '3' } }), { reason: 'otherwise' }],
      [object({ ' n': { type: 'number' } }), { reason: 'otherwise' }],
    ];
    for (const [schema, refusal] of cases) assert.deepEqual(refusalOf(schema), refusal, JSON.stringify(schema));
  });

  it('refuses text that is not JSON, with the parser\'s message', () => {
    const answer = model.textToRows('{ "type": "object", ');
    assert.ok('refusal' in answer);
    assert.equal(answer.refusal.reason, 'json');
    assert.match(answer.refusal.message ?? '', /JSON/);
  });

  it('gives back the rows of any schema it writes (rows → schema → rows)', () => {
    const plain = fc.stringMatching(/^[A-Za-z0-9_ .-]{1,12}$/).map((s) => s.trim()).filter((s) => s !== '');
    // (Not names like "0": JavaScript lists such keys of an object first, whatever their order in the JSON.)
    const names = plain.filter((s) => !/^(0|[1-9]\d*)$/.test(s));
    const numberText = (integer: boolean) => (integer ? fc.integer({ min: -1e6, max: 1e6 }) : fc.double({ noNaN: true, noDefaultInfinity: true }))
      .map((n) => JSON.stringify(Object.is(n, -0) ? 0 : n));
    const rowArb = fc.record({
      type: fc.constantFrom(...model.TYPES),
      required: fc.boolean(),
      description: fc.oneof(fc.constant(''), fc.string({ minLength: 1 }).filter((s) => s.trim() !== '')),
      values: fc.uniqueArray(plain, { minLength: 1, maxLength: 4 }),
      stringDefault: fc.option(fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''), { nil: undefined }),
      boolDefault: fc.option(fc.boolean(), { nil: undefined }),
      pick: fc.nat(),
      range: fc.tuple(fc.option(fc.constant(0)), fc.option(fc.constant(0)), fc.option(fc.constant(0))),
      integerTexts: fc.tuple(numberText(true), numberText(true), numberText(true)),
      numberTexts: fc.tuple(numberText(false), numberText(false), numberText(false)),
    }).map((r): Omit<Row, 'name'> => {
      const array = r.type.endsWith('[]');
      const scalar = array ? r.type.slice(0, -2) : r.type;
      const out: Omit<Row, 'name'> = { type: r.type, required: r.required, description: r.description, default: '', values: '', minimum: '', maximum: '' };
      if (scalar === 'enum') out.values = r.values.join(', ');
      if (array) return out;
      if (scalar === 'string' && r.stringDefault !== undefined) out.default = r.stringDefault;
      if (scalar === 'boolean' && r.boolDefault !== undefined) out.default = String(r.boolDefault);
      if (scalar === 'enum' && r.pick % 2 === 0) out.default = r.values[r.pick % r.values.length] as string;
      if (scalar === 'number' || scalar === 'integer') {
        const texts = scalar === 'integer' ? r.integerTexts : r.numberTexts;
        if (r.range[0] !== null) out.default = texts[0];
        if (r.range[1] !== null) out.minimum = texts[1];
        if (r.range[2] !== null) out.maximum = texts[2];
      }
      return out;
    });
    const rowsArb = fc.uniqueArray(names, { maxLength: 6 }).chain((names) =>
      fc.tuple(...names.map((name) => rowArb.map((r): Row => ({ name, ...r })))));
    fc.assert(fc.property(rowsArb, fc.boolean(), (rows, strict) => {
      const frame: Frame = strict ? { additionalProperties: false } : {};
      const { schema, problems } = model.rowsToSchema(rows, frame);
      assert.deepEqual(problems, []);
      assert.deepEqual(model.schemaToRows(JSON.parse(JSON.stringify(schema))), { rows, frame });
    }), { numRuns: 300 });
  });
});
