/*
 * The parameters table of the `mcp sse tool` dialog, its model: a tool's input schema (JSON
 * Schema, the node's saved `inputSchema`) as rows of name, type, required, description, default,
 * enum values and range, and back. Pure functions, no DOM: resources/mcp-parameters.js draws the
 * table with them, and test/browser/schema-rows.test.ts runs this file as the editor does.
 *
 * The table shows a schema only when writing its rows back gives the same schema (up to the order
 * of keys and of `required`): what it cannot show is never dropped, the dialog falls back to the
 * JSON editor and says which keyword it cannot show. Loaded as a resource, as mcp-editor.js is
 * (see the comment at its top for why); it may run more than once.
 */
(function () {
    'use strict';
    if (window.mcpSseSchemaRows) { return; }

    /** The scalar types of a row, as JSON Schema names them; `enum` is a string with listed values. */
    var SCALARS = ['string', 'number', 'integer', 'boolean', 'enum'];

    /** Every row type, in the order the type picker lists them: the scalars, then arrays of each (`string[]`). */
    var TYPES = SCALARS.concat(SCALARS.map(function (t) { return t + '[]'; }));

    /** The keywords a row shows, per property; any other keyword keeps the schema out of the table. */
    var PROPERTY_KEYWORDS = ['type', 'description', 'default', 'enum', 'items', 'minimum', 'maximum'];

    /** The keywords the table keeps at the top of the schema (`$schema` is kept as it is, not shown). */
    var TOP_KEYWORDS = ['$schema', 'type', 'properties', 'required', 'additionalProperties'];

    /** A JSON number as typed: `3`, `-0.5`, `1e3`. */
    var NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

    var has = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
    var isObject = function (v) { return v !== null && typeof v === 'object' && !Array.isArray(v); };

    /**
     * A row as the table holds it: every field a string as typed (`required` a boolean).
     * @typedef {{name: string, type: string, required: boolean, description: string,
     *   default: string, values: string, minimum: string, maximum: string}} Row
     * `type` is one of {@link TYPES}; `values` the enum values, comma-separated (types `enum`
     * and `enum[]`); `default` and the range (`minimum`, `maximum`: number and integer) only for
     * scalars.
     */

    /** A new row: a string, not required, nothing else filled in. */
    function emptyRow() {
        return { name: '', type: 'string', required: false, description: '', default: '', values: '', minimum: '', maximum: '' };
    }

    /** The enum values of a values field: comma-separated, each trimmed, blanks left out. */
    function valuesOf(text) {
        return String(text || '').split(',').map(function (v) { return v.trim(); }).filter(function (v) { return v !== ''; });
    }

    /** A number field (`default`, `minimum`, `maximum`) as a number, or undefined when it is not one (an integer for `integer`). */
    function numberOf(text, integer) {
        var t = String(text).trim();
        if (!NUMBER.test(t)) { return undefined; }
        var n = Number(t);
        return isFinite(n) && (!integer || Math.floor(n) === n) ? n : undefined;
    }

    /**
     * The value a row's `default` field gives for its type.
     * @returns {{value?: *, problem?: string}} no value for a blank field; `problem` (`number`,
     *   `integer`, `boolean`, `notListed`) when the text is not a value of the type
     */
    function defaultOf(row, scalar) {
        var text = String(row.default || '');
        if (text.trim() === '') { return {}; }
        if (scalar === 'string') { return { value: text }; }
        if (scalar === 'enum') {
            return valuesOf(row.values).indexOf(text.trim()) === -1 ? { problem: 'notListed' } : { value: text.trim() };
        }
        if (scalar === 'boolean') {
            return text === 'true' || text === 'false' ? { value: text === 'true' } : { problem: 'boolean' };
        }
        var n = numberOf(text, scalar === 'integer');
        return n === undefined ? { problem: scalar } : { value: n };
    }

    /**
     * The JSON Schema of the rows: an object schema with a property per named row, in the rows'
     * order. Rows without a name are left out, and a name used twice counts once (its first row).
     * A field that does not hold a value of its row's type (a default `abc` of a number) is left
     * out of the schema and reported in `problems`, for the table to mark it.
     * @param {Row[]} rows
     * @param {{$schema?: string, additionalProperties?: boolean}} [frame] what the table keeps at
     *   the top: `$schema` as it was, and `additionalProperties: false` when other arguments are refused
     * @returns {{schema: object, problems: Array<{row: number, field: string, problem: string}>}}
     *   `field` is the row's field (`name`, `default`, `values`, `minimum`, `maximum`), `problem`
     *   a word the dialog translates (`duplicate`, `number`, `integer`, `boolean`, `notListed`, `noValues`)
     */
    function rowsToSchema(rows, frame) {
        frame = frame || {};
        var schema = {};
        if (typeof frame.$schema === 'string') { schema.$schema = frame.$schema; }
        schema.type = 'object';
        var properties = {};
        var required = [];
        var problems = [];
        rows.forEach(function (row, index) {
            var name = String(row.name || '').trim();
            if (name === '') { return; }
            if (has(properties, name)) { problems.push({ row: index, field: 'name', problem: 'duplicate' }); return; }
            var array = /\[\]$/.test(row.type);
            var scalar = array ? row.type.slice(0, -2) : row.type;
            if (SCALARS.indexOf(scalar) === -1) { scalar = 'string'; }
            var value = { type: scalar === 'enum' ? 'string' : scalar };
            if (scalar === 'enum') {
                var values = valuesOf(row.values);
                if (values.length === 0) { problems.push({ row: index, field: 'values', problem: 'noValues' }); } else { value.enum = values; }
            }
            var property = array ? { type: 'array', items: value } : value;
            if (!array && (scalar === 'number' || scalar === 'integer')) {
                ['minimum', 'maximum'].forEach(function (field) {
                    if (String(row[field] || '').trim() === '') { return; }
                    var n = numberOf(row[field], scalar === 'integer');
                    if (n === undefined) { problems.push({ row: index, field: field, problem: scalar }); } else { property[field] = n; }
                });
            }
            if (!array) {
                var d = defaultOf(row, scalar);
                if (d.problem) { problems.push({ row: index, field: 'default', problem: d.problem }); } else if (has(d, 'value')) { property.default = d.value; }
            }
            if (String(row.description || '').trim() !== '') { property.description = String(row.description); }
            // (defineProperty: a parameter named __proto__ is a property like any other.)
            Object.defineProperty(properties, name, { value: property, enumerable: true, writable: true, configurable: true });
            if (row.required === true) { required.push(name); }
        });
        schema.properties = properties;
        if (required.length > 0) { schema.required = required; }
        if (frame.additionalProperties === false) { schema.additionalProperties = false; }
        return { schema: schema, problems: problems };
    }

    /**
     * Why the table cannot show a schema.
     * @typedef {{reason: string, keyword?: string, property?: string, message?: string}} Refusal
     * `reason`: `json` (not JSON: `message`), `notObject` (not an object schema), `keyword` (it
     * uses `keyword`, at the top or in `property`), `nested` (`property` is an object),
     * `arrayOfObjects`, `arrayOfArrays`, `typeList` (`property` has several types), `enumValue`
     * (an enum value of `property` that is not a plain string the values field can hold:
     * blank, with a comma or spaces around it), `otherwise` (the rows would not give the same schema)
     */

    /** A refusal of `keyword` in `property` (at the top when `property` is undefined). */
    function refuse(reason, keyword, property) {
        var r = { reason: reason };
        if (keyword !== undefined) { r.keyword = keyword; }
        if (property !== undefined) { r.property = property; }
        return r;
    }

    /** True for an enum value the comma-separated values field can hold as it is. */
    function plainValue(v) {
        return typeof v === 'string' && v !== '' && v.indexOf(',') === -1 && v.trim() === v;
    }

    /** The row type of a property's `type` (and `enum`), or a refusal. */
    function rowTypeOf(def, name, inItems) {
        var type = def.type;
        if (Array.isArray(type)) { return refuse('typeList', 'type', name); }
        if (type === 'object') { return refuse(inItems ? 'arrayOfObjects' : 'nested', 'type', name); }
        if (type === 'array') { return refuse(inItems ? 'arrayOfArrays' : 'keyword', 'items', name); }
        if (['string', 'number', 'integer', 'boolean'].indexOf(type) === -1) { return refuse('keyword', 'type', name); }
        if (!has(def, 'enum')) { return type; }
        if (type !== 'string' || !Array.isArray(def.enum) || !def.enum.every(plainValue)) { return refuse('enumValue', 'enum', name); }
        return 'enum';
    }

    /** The text a field shows for a schema value: numbers and booleans as JSON writes them. */
    function textOf(v) {
        return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    }

    /** The row of one property, or a refusal. */
    function rowOf(name, def, requiredNames) {
        if (!isObject(def)) { return refuse('keyword', 'properties', name); }
        // What the property is before the keywords it uses: a nested object uses `properties` too.
        if (Array.isArray(def.type)) { return refuse('typeList', 'type', name); }
        if (def.type === 'object') { return refuse('nested', 'type', name); }
        if (def.type === 'array' && isObject(def.items)) {
            if (def.items.type === 'object') { return refuse('arrayOfObjects', 'type', name); }
            if (def.items.type === 'array') { return refuse('arrayOfArrays', 'items', name); }
        }
        for (var k in def) {
            if (has(def, k) && PROPERTY_KEYWORDS.indexOf(k) === -1) { return refuse('keyword', k, name); }
        }
        if (!has(def, 'type')) { return refuse('keyword', 'type', name); }
        if (has(def, 'description') && typeof def.description !== 'string') { return refuse('keyword', 'description', name); }
        var row = emptyRow();
        row.name = name;
        row.required = requiredNames.indexOf(name) !== -1;
        row.description = def.description || '';
        if (def.type === 'array') {
            if (!isObject(def.items)) { return refuse('keyword', 'items', name); }
            for (var i in def.items) {
                if (has(def.items, i) && i !== 'type' && i !== 'enum') { return refuse('keyword', i, name); }
            }
            var items = rowTypeOf(def.items, name, true);
            if (typeof items !== 'string') { return items; }
            var scalarOnly = ['enum', 'default', 'minimum', 'maximum'];
            for (var s = 0; s < scalarOnly.length; s++) {
                if (has(def, scalarOnly[s])) { return refuse('keyword', scalarOnly[s], name); }
            }
            row.type = items + '[]';
            if (items === 'enum') { row.values = def.items.enum.join(', '); }
            return row;
        }
        if (has(def, 'items')) { return refuse('keyword', 'items', name); }
        var type = rowTypeOf(def, name, false);
        if (typeof type !== 'string') { return type; }
        row.type = type;
        if (type === 'enum') { row.values = def.enum.join(', '); }
        var numeric = type === 'number' || type === 'integer';
        var range = ['minimum', 'maximum'];
        for (var r = 0; r < range.length; r++) {
            if (!has(def, range[r])) { continue; }
            if (!numeric || typeof def[range[r]] !== 'number') { return refuse('keyword', range[r], name); }
            row[range[r]] = textOf(def[range[r]]);
        }
        if (has(def, 'default')) {
            // A blank string default would read as no default; null, objects and arrays have no field.
            if (def.default === '' || def.default === null || typeof def.default === 'object') { return refuse('keyword', 'default', name); }
            row.default = textOf(def.default);
        }
        return row;
    }

    /** `value` with the keys of every object sorted and `required` as a sorted list (absent when empty), for comparing schemas. */
    function normalized(value) {
        if (Array.isArray(value)) { return value.map(normalized); }
        if (!isObject(value)) { return value; }
        var out = {};
        Object.keys(value).sort().forEach(function (k) {
            if (k === 'required' && Array.isArray(value[k])) {
                if (value[k].length > 0) { out[k] = value[k].slice().sort(); }
                return;
            }
            out[k] = normalized(value[k]);
        });
        return out;
    }

    /**
     * The rows of a schema, or why the table cannot show it.
     * @param {*} schema the parsed input schema
     * @returns {{rows: Row[], frame: {$schema?: string, additionalProperties?: boolean}} | {refusal: Refusal}}
     */
    function schemaToRows(schema) {
        if (!isObject(schema) || schema.type !== 'object') { return { refusal: refuse('notObject') }; }
        for (var k in schema) {
            if (has(schema, k) && TOP_KEYWORDS.indexOf(k) === -1) { return { refusal: refuse('keyword', k) }; }
        }
        if (has(schema, '$schema') && typeof schema.$schema !== 'string') { return { refusal: refuse('keyword', '$schema') }; }
        if (has(schema, 'additionalProperties') && schema.additionalProperties !== false) { return { refusal: refuse('keyword', 'additionalProperties') }; }
        var properties = has(schema, 'properties') ? schema.properties : {};
        if (!isObject(properties)) { return { refusal: refuse('keyword', 'properties') }; }
        var names = Object.keys(properties);
        var required = has(schema, 'required') ? schema.required : [];
        if (!Array.isArray(required) || !required.every(function (n) { return names.indexOf(n) !== -1; })) {
            return { refusal: refuse('keyword', 'required') };
        }
        var rows = [];
        for (var i = 0; i < names.length; i++) {
            var row = rowOf(names[i], properties[names[i]], required);
            if (row.reason) { return { refusal: row }; }
            rows.push(row);
        }
        var frame = {};
        if (has(schema, '$schema')) { frame.$schema = schema.$schema; }
        if (schema.additionalProperties === false) { frame.additionalProperties = false; }
        // Whatever the checks above missed (a property named "", a name with spaces around it):
        // the rows must give this schema back, or the table would change it.
        var back = rowsToSchema(rows, frame);
        var given = Object.assign({ properties: {} }, schema);
        if (back.problems.length > 0 || JSON.stringify(normalized(back.schema)) !== JSON.stringify(normalized(given))) {
            return { refusal: refuse('otherwise') };
        }
        return { rows: rows, frame: frame };
    }

    /**
     * {@link schemaToRows} of the JSON text in the schema editor.
     * @param {string} text
     * @returns the same, with the refusal `json` (and the parser's `message`) for text that is not JSON
     */
    function textToRows(text) {
        var schema;
        try {
            schema = JSON.parse(text);
        } catch (e) {
            return { refusal: { reason: 'json', message: e.message } };
        }
        return schemaToRows(schema);
    }

    /** The schema as the JSON editor shows it: two-space indent. */
    function schemaText(schema) {
        return JSON.stringify(schema, null, 2);
    }

    window.mcpSseSchemaRows = {
        TYPES: TYPES,
        emptyRow: emptyRow,
        valuesOf: valuesOf,
        rowsToSchema: rowsToSchema,
        schemaToRows: schemaToRows,
        textToRows: textToRows,
        schemaText: schemaText
    };
})();
