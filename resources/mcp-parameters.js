/*
 * The parameters table of the `mcp sse tool` dialog and the arguments table of the
 * `mcp sse prompt` dialog, drawn with Node-RED's own editableList (as the core switch and change
 * nodes draw their rules). The tool's table is kept two-way with the dialog's JSON Schema editor:
 * editing a row rewrites the schema, editing the schema rebuilds the rows, and a schema the table
 * cannot show hides the table behind a note that says why (the JSON editor stays). While a row has
 * a problem (marked red) the schema is left as it last was, never written without that row; the
 * dialog then tells the user on Done and marks the node invalid. The schema in the JSON editor is
 * what the node saves (`inputSchema`), so the runtime sees JSON Schema as before. The conversions are in mcp-schema-rows.js; this file is the DOM around them.
 *
 * Loaded as a resource, as mcp-editor.js is (see the comment at its top for why); it may run more
 * than once. mcp-schema-rows.js may arrive after it: it is looked up when a dialog opens.
 */
(function () {
    'use strict';
    if (window.mcpSseParameters) { return; }

    /** How long the JSON editor must be still before the rows follow it (ms): not at every key. */
    var JSON_SETTLE_MS = 300;

    var rowsOf = function () { return window.mcpSseSchemaRows; };

    /** A text input with a class, a placeholder and a value. */
    function textInput(cls, placeholder, value, style) {
        return $('<input type="text">').addClass(cls).attr({ placeholder: placeholder, title: placeholder })
            .css($.extend({ margin: 0 }, style || {})).val(value || '');
    }

    /** A "required" checkbox with its label. */
    function requiredBox(checked, label) {
        var box = $('<label>').css({ width: 'auto', margin: '0 0 0 6px', whiteSpace: 'nowrap' });
        $('<input type="checkbox" class="mcp-param-required">').css({ width: 'auto', margin: '0 4px 0 0' }).prop('checked', checked === true).appendTo(box);
        $('<span>').text(label).appendTo(box);
        return box;
    }

    /**
     * Lets an editableList made with `height: 'auto'` grow with its rows, with room for one row
     * when empty. (A min-height on the list itself before it is made would become its fixed height.)
     */
    function growing(list) {
        list.parent().css('min-height', '40px');
    }

    /** A group of fields in a line, with a word before them (a placeholder goes once its field is filled). */
    function fieldGroup(parent, word, flex) {
        var g = $('<div>').css({ display: 'flex', gap: '4px', alignItems: 'center', flex: flex }).appendTo(parent);
        $('<span>').text(word).css({ color: 'var(--red-ui-secondary-text-color)', whiteSpace: 'nowrap' }).appendTo(g);
        return g;
    }

    /** A line of a row: fields side by side. */
    function line(row) {
        return $('<div>').css({ display: 'flex', gap: '6px', alignItems: 'center', marginTop: row.children().length ? '4px' : 0 }).appendTo(row);
    }

    /** Marks the fields named in `problems` (of rowsToSchema) as Node-RED marks invalid inputs, with the reason as their tooltip. */
    function markProblems(items, problems, t) {
        items.each(function () { $(this).find('input').removeClass('input-error').each(function () { $(this).attr('title', $(this).attr('placeholder')); }); });
        problems.forEach(function (p) {
            var field = $(items[p.row]).find('.mcp-param-' + p.field);
            field.addClass('input-error').attr('title', t('parameters.problem.' + p.problem));
        });
    }

    /**
     * Draws a tool parameter's row (name, type, required; description; the fields of its type).
     * @param {jQuery} row the editableList item
     * @param {object} data a row of mcp-schema-rows.js (fields missing: a new row)
     * @param {function(string, object=): string} t the dialog's translator, keys under `mcp-sse-tool.`
     */
    function drawToolRow(row, data, t) {
        data = $.extend(rowsOf().emptyRow(), data);
        var first = line(row);
        textInput('mcp-param-name', t('parameters.name'), data.name, { flex: '1 1 30%', minWidth: '80px' }).appendTo(first);
        var type = $('<select class="mcp-param-type">').css({ width: '150px', margin: 0 }).appendTo(first);
        rowsOf().TYPES.forEach(function (name) {
            var array = /\[\]$/.test(name);
            var label = array ? t('parameters.type.array', { type: t('parameters.type.' + name.slice(0, -2)) }) : t('parameters.type.' + name);
            $('<option>').val(name).text(label).appendTo(type);
        });
        type.val(data.type);
        requiredBox(data.required, t('parameters.required')).appendTo(first);
        textInput('mcp-param-description', t('parameters.description'), data.description, { width: '100%' }).appendTo(line(row));
        // The fields of the type, in groups shown for the types they belong to.
        var extra = line(row);
        var group = function (cls, word, flex) { return fieldGroup(extra, word, flex).addClass(cls); };
        var values = group('mcp-param-values-group', t('parameters.valuesLabel'), '2 1 0');
        textInput('mcp-param-values', t('parameters.values'), data.values, { flex: '1 1 0', minWidth: 0 }).appendTo(values);
        var text = group('mcp-param-default-group', t('parameters.default'), '1 1 0');
        textInput('mcp-param-default', t('parameters.noDefault'), data.type === 'boolean' ? '' : data.default, { flex: '1 1 0', minWidth: 0 }).appendTo(text);
        var bool = $('<select class="mcp-param-default-boolean">').css({ width: '120px', margin: 0 })
            .appendTo(group('mcp-param-default-boolean-group', t('parameters.default'), '0 0 auto'));
        [['', t('parameters.noDefault')], ['true', 'true'], ['false', 'false']].forEach(function (o) {
            $('<option>').val(o[0]).text(o[1]).appendTo(bool);
        });
        bool.val(data.type === 'boolean' && (data.default === 'true' || data.default === 'false') ? data.default : '');
        var range = group('mcp-param-range-group', t('parameters.range'), '0 0 auto');
        textInput('mcp-param-minimum', t('parameters.minimum'), data.minimum, { width: '70px' }).appendTo(range);
        $('<span>').text('–').appendTo(range);
        textInput('mcp-param-maximum', t('parameters.maximum'), data.maximum, { width: '70px' }).appendTo(range);
        var show = function () {
            var v = type.val();
            var array = /\[\]$/.test(v);
            var scalar = array ? v.slice(0, -2) : v;
            values.toggle(scalar === 'enum');
            text.toggle(!array && scalar !== 'boolean');
            bool.parent().toggle(!array && scalar === 'boolean');
            range.toggle(!array && (scalar === 'number' || scalar === 'integer'));
            extra.toggle(scalar === 'enum' || !array);
        };
        type.on('change', show);
        show();
    }

    /** A tool parameter's row as mcp-schema-rows.js takes it: the fields of its type, as typed. */
    function readToolRow(row) {
        var type = row.find('.mcp-param-type').val();
        var array = /\[\]$/.test(type);
        var scalar = array ? type.slice(0, -2) : type;
        var numeric = !array && (scalar === 'number' || scalar === 'integer');
        return {
            name: row.find('.mcp-param-name').val(),
            type: type,
            required: row.find('.mcp-param-required').prop('checked'),
            description: row.find('.mcp-param-description').val(),
            default: array ? '' : scalar === 'boolean' ? row.find('.mcp-param-default-boolean').val() : row.find('.mcp-param-default').val(),
            values: scalar === 'enum' ? row.find('.mcp-param-values').val() : '',
            minimum: numeric ? row.find('.mcp-param-minimum').val() : '',
            maximum: numeric ? row.find('.mcp-param-maximum').val() : ''
        };
    }

    /** The note for a schema the table cannot show (a refusal of mcp-schema-rows.js). */
    function refusalText(refusal, t) {
        var key = refusal.reason === 'keyword' && refusal.property !== undefined ? 'keywordIn' : refusal.reason;
        return t('parameters.refusal.' + key, { keyword: refusal.keyword, property: refusal.property, message: refusal.message });
    }

    /**
     * The tool dialog's parameters table, kept two-way with its input schema editor.
     * @param {object} options
     * @param {jQuery} options.list the `<ol>` to make the table of
     * @param {jQuery} options.table what to hide while the table cannot show the schema (the list and `strict`)
     * @param {jQuery} options.strict the checkbox "refuse other arguments" (`additionalProperties: false`)
     * @param {jQuery} options.note where to say why the table cannot show the schema
     * @param {object} options.editor the input schema's editor (RED.editor.createEditor: ace or monaco)
     * @param {function(string, object=): string} options.t translator, keys under `mcp-sse-tool.`
     * @returns {{problems: function(): number, destroy: function()}} `problems()`: the fields marked
     *   red now (the schema in the editor is then the last one without problems); `destroy()` to
     *   call when the dialog closes
     */
    function toolTable(options) {
        var list = options.list;
        var editor = options.editor;
        var t = options.t;
        var frame = {};
        var shown = null; // the editor text the table shows (or wrote), so that its own writes are not read back
        var timer = null;
        var problems = 0; // fields marked red: the schema waits for them

        var fromTable = function () {
            if (shown === null) { return; }
            var f = $.extend({}, frame);
            if (options.strict.prop('checked')) { f.additionalProperties = false; } else { delete f.additionalProperties; }
            var rows = list.editableList('items').map(function () { return readToolRow($(this)); }).get();
            var result = rowsOf().rowsToSchema(rows, f);
            markProblems(list.editableList('items'), result.problems, t);
            problems = result.problems.length;
            // A schema without the rows marked red would lose them on Done: the last good one stays.
            if (problems > 0) { return; }
            var text = rowsOf().schemaText(result.schema);
            shown = text;
            if (editor.getValue() !== text) { editor.setValue(text, -1); }
        };
        var opened = false; // false until the dialog has shown its schema once
        var enable = function (on, why) {
            options.table.css({ opacity: on ? '' : 0.5 }).attr('title', on ? null : why);
            options.table.find(':input').prop('disabled', !on);
        };
        var fromJson = function () {
            timer = null;
            var text = editor.getValue();
            if (text === shown) { return; }
            var result = rowsOf().textToRows(text);
            if (result.refusal) {
                shown = null;
                if (result.refusal.reason === 'json' && opened && options.table.is(':visible')) {
                    // Half-typed JSON: the table stays where it is (the editor below it does not
                    // move while the user types), greyed until the JSON is whole again; a row
                    // edited now would overwrite what the user is typing.
                    enable(false, refusalText(result.refusal, t));
                    return;
                }
                options.table.hide();
                options.note.text(refusalText(result.refusal, t)).show();
                return;
            }
            enable(true);
            frame = result.frame;
            shown = text;
            options.strict.prop('checked', frame.additionalProperties === false);
            var current = list.editableList('items').map(function () { return readToolRow($(this)); }).get();
            if (JSON.stringify(current) !== JSON.stringify(result.rows)) {
                list.editableList('empty');
                list.editableList('addItems', result.rows);
            }
            markProblems(list.editableList('items'), [], t);
            problems = 0;
            options.note.hide();
            options.table.show();
        };

        list.editableList({
            addItem: function (row, index, data) { drawToolRow(row, data, t); },
            removeItem: fromTable,
            sortItems: fromTable,
            removable: true,
            sortable: true,
            height: 'auto'
        });
        growing(list);
        list.on('input change', ':input', fromTable);
        options.strict.on('change', fromTable);
        editor.getSession().on('change', function () {
            if (timer !== null) { clearTimeout(timer); }
            timer = setTimeout(fromJson, JSON_SETTLE_MS);
        });
        fromJson();
        opened = true;
        return {
            problems: function () { return problems; },
            destroy: function () {
                if (timer !== null) { clearTimeout(timer); }
                timer = null;
            }
        };
    }

    /**
     * The prompt dialog's arguments table: name, required, description and the completion
     * values of each argument (MCP prompt arguments have no type). A name used twice is marked.
     * @param {jQuery} list the `<ol>` to make the table of
     * @param {Array<{name: string, description?: string, required?: boolean, values?: string}>} args the node's `arguments`
     * @param {function(string, object=): string} t translator, keys under `mcp-sse-prompt.`
     */
    function promptTable(list, args, t) {
        var check = function () {
            var seen = Object.create(null);
            list.editableList('items').each(function () {
                var name = $(this).find('.mcp-param-name');
                var key = name.val().trim();
                var twice = key !== '' && seen[key] === true;
                seen[key] = true;
                name.toggleClass('input-error', twice).attr('title', twice ? t('parameters.problem.duplicate') : name.attr('placeholder'));
            });
        };
        list.editableList({
            addItem: function (row, index, data) {
                var first = line(row);
                textInput('mcp-param-name', t('parameters.name'), data.name, { flex: '1 1 auto' }).appendTo(first);
                requiredBox(data.required, t('parameters.required')).appendTo(first);
                textInput('mcp-param-description', t('parameters.description'), data.description, { width: '100%' }).appendTo(line(row));
                textInput('mcp-param-values', t('parameters.values'), data.values, { flex: '1 1 0', minWidth: 0 })
                    .appendTo(fieldGroup(line(row), t('parameters.valuesLabel'), '1 1 0'));
            },
            removeItem: check,
            sortItems: check,
            removable: true,
            sortable: true,
            height: 'auto'
        });
        growing(list);
        list.on('input change', '.mcp-param-name', check);
        list.editableList('addItems', args || []);
        check();
    }

    /**
     * Tells the user on Done that a dialog saved without the rows marked red, and marks the node
     * invalid until it is saved without problems: sets `node[flag]` (a property the node does not
     * save, which the property's `validate` reads) and shows `text` as a warning.
     * @param {object} node the node being edited
     * @param {string} flag the name of the flag
     * @param {number} problems the rows or fields marked red; 0 clears the flag
     * @param {string} text the notification
     */
    function refuseProblems(node, flag, problems, text) {
        if (problems === 0) {
            delete node[flag];
            return;
        }
        node[flag] = problems;
        RED.notify(text, { type: 'warning', timeout: 10000 });
    }

    /**
     * The prompt's arguments as the node saves them, from its table: rows without a name are left
     * out. A name used twice is saved as it is, and the node's `validate` marks it invalid (the
     * runtime counts it once, its first row), so that no row is lost.
     * @returns {Array<{name: string, description: string, required: boolean, values: string}>}
     */
    function promptArguments(list) {
        var args = [];
        list.editableList('items').each(function () {
            var name = $(this).find('.mcp-param-name').val().trim();
            if (name === '') { return; }
            args.push({
                name: name,
                description: $(this).find('.mcp-param-description').val(),
                required: $(this).find('.mcp-param-required').prop('checked'),
                values: $(this).find('.mcp-param-values').val()
            });
        });
        return args;
    }

    window.mcpSseParameters = {
        toolTable: toolTable,
        promptTable: promptTable,
        promptArguments: promptArguments,
        refuseProblems: refuseProblems
    };
})();
