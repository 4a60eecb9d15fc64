/*
 * Try it (issue 20 item 3): call a deployed tool, prompt or resource from the editor, through
 * `POST mcp-sse/endpoints/<id>/call`, which runs the request through the endpoint and the flow
 * exactly as a client's goes (schema, declaration node, flow, mcp sse out). Used by the MCP
 * sidebar (resources/mcp-workbench.js) and by a Try it button in the tool, prompt and resource
 * dialogs.
 *
 * - A form made from the input schema: string, number, integer, boolean, enum, arrays of those
 *   (one item a line), and raw JSON for any other property (or for a schema without properties).
 *   It checks the schema as you type, with the words ajv uses ("must be <= 90"); Call sends
 *   anyway, so that what a client sending those arguments gets is what you see.
 * - The result as a client sees it: text, images, audio, resource links and embedded resources,
 *   `structuredContent` as a JSON tree, `isError` in red, the duration, the progress the flow
 *   sent, and the server-initiated requests it made (answered with an error: the editor cannot).
 *
 * The tools, prompts and resources come from the endpoint's own lists (`tools/list` and the
 * others, through the same call), so a hand-written flow's tools can be tried too.
 */
(function () {
    'use strict';
    if (window.mcpSseTryIt) { return; }

    var NS = 'node-red-contrib-mcp-sse/mcp-sse-workbench:';
    var SCALARS = ['string', 'number', 'integer', 'boolean'];
    function t(key, options) { return RED._(NS + key, options); }
    function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }

    /** Makes one request as the editor: a jQuery promise of the answer (`{ result | error, durationMs, progress, serverRequests }`). */
    function call(endpointId, method, params) {
        return $.ajax({
            url: 'mcp-sse/endpoints/' + encodeURIComponent(endpointId) + '/call',
            method: 'POST',
            contentType: 'application/json',
            data: JSON.stringify({ method: method, params: params || {} }),
            dataType: 'json'
        });
    }

    /** The message of a failed call: the admin API's `{ message }`, else the HTTP status. */
    function failure(xhr) {
        var body = xhr && xhr.responseJSON;
        return (body && body.message) || (xhr && xhr.status ? 'HTTP ' + xhr.status : t('tryIt.unreachable'));
    }

    /** How a property is asked for: a scalar, an enum of strings, an array of scalars, or raw JSON. */
    function kindOf(def) {
        if (!isObject(def)) { return 'json'; }
        if (Array.isArray(def.enum) && def.enum.length > 0 && def.enum.every(function (v) { return typeof v === 'string'; })) { return 'enum'; }
        if (SCALARS.indexOf(def.type) !== -1) { return def.type; }
        if (def.type === 'array' && isObject(def.items) && kindOf(def.items) !== 'json' && kindOf(def.items) !== 'array') { return 'array'; }
        return 'json';
    }

    /**
     * What `text` (as typed) is as a value of `def`, and what is wrong with it, in ajv's words.
     * @returns {{value?: *, problem?: string}} no value for a blank field
     */
    function read(def, kind, text) {
        if (String(text).trim() === '') { return {}; }
        if (kind === 'string' || kind === 'enum') { return check(def, text); }
        if (kind === 'boolean') { return { value: text === 'true' }; }
        if (kind === 'number' || kind === 'integer') {
            var n = Number(String(text).trim());
            if (!isFinite(n)) { return { problem: t('tryIt.problem.type', { type: 'number' }) }; }
            if (kind === 'integer' && Math.floor(n) !== n) { return { problem: t('tryIt.problem.type', { type: 'integer' }) }; }
            return check(def, n);
        }
        if (kind === 'array') {
            var itemKind = kindOf(def.items);
            var items = [];
            var lines = String(text).split('\n').filter(function (l) { return l.trim() !== ''; });
            for (var i = 0; i < lines.length; i++) {
                var item = read(def.items, itemKind, lines[i].trim());
                if (item.problem) { return { problem: t('tryIt.problem.item', { n: i + 1, problem: item.problem }) }; }
                items.push(item.value);
            }
            if (typeof def.minItems === 'number' && items.length < def.minItems) { return { problem: t('tryIt.problem.minItems', { limit: def.minItems }) }; }
            if (typeof def.maxItems === 'number' && items.length > def.maxItems) { return { problem: t('tryIt.problem.maxItems', { limit: def.maxItems }) }; }
            return { value: items };
        }
        try {
            return { value: JSON.parse(text) };
        } catch (e) {
            return { problem: t('tryIt.problem.json', { message: e.message }) };
        }
    }

    /** The keywords of `def` a typed value of the form's kinds can break. */
    function check(def, value) {
        var problem;
        if (Array.isArray(def.enum) && def.enum.indexOf(value) === -1) { problem = t('tryIt.problem.enum', { values: def.enum.join(', ') }); }
        if (typeof value === 'number') {
            if (typeof def.minimum === 'number' && value < def.minimum) { problem = t('tryIt.problem.range', { op: '>=', limit: def.minimum }); }
            if (typeof def.maximum === 'number' && value > def.maximum) { problem = t('tryIt.problem.range', { op: '<=', limit: def.maximum }); }
            if (typeof def.exclusiveMinimum === 'number' && value <= def.exclusiveMinimum) { problem = t('tryIt.problem.range', { op: '>', limit: def.exclusiveMinimum }); }
            if (typeof def.exclusiveMaximum === 'number' && value >= def.exclusiveMaximum) { problem = t('tryIt.problem.range', { op: '<', limit: def.exclusiveMaximum }); }
        }
        if (typeof value === 'string') {
            if (typeof def.minLength === 'number' && value.length < def.minLength) { problem = t('tryIt.problem.minLength', { limit: def.minLength }); }
            if (typeof def.maxLength === 'number' && value.length > def.maxLength) { problem = t('tryIt.problem.maxLength', { limit: def.maxLength }); }
            if (typeof def.pattern === 'string') {
                try {
                    if (!new RegExp(def.pattern, 'u').test(value)) { problem = t('tryIt.problem.pattern', { pattern: def.pattern }); }
                } catch (e) { /* a pattern the browser cannot read: the server checks it */ }
            }
        }
        return problem ? { value: value, problem: problem } : { value: value };
    }

    /**
     * A form for an object schema (a tool's `inputSchema`), or for a prompt's arguments (strings).
     * @returns {{element: jQuery, value: function(): {args: object, problems: number}}}
     */
    function form(schema) {
        var element = $('<div class="mcp-try-form">');
        var fields = [];
        var properties = isObject(schema) && isObject(schema.properties) ? schema.properties : null;
        var required = isObject(schema) && Array.isArray(schema.required) ? schema.required : [];
        if (properties === null || Object.keys(properties).length === 0) {
            if (properties === null) {
                fields.push(field(element, null, { type: 'object' }, 'json', false, true));
            } else {
                $('<div class="mcp-try-none">').text(t('tryIt.noArguments')).appendTo(element);
            }
        } else {
            Object.keys(properties).forEach(function (name) {
                var def = properties[name];
                fields.push(field(element, name, def, kindOf(def), required.indexOf(name) !== -1, false));
            });
        }
        return {
            element: element,
            value: function () {
                var args = {};
                var problems = 0;
                fields.forEach(function (f) {
                    var got = f.read(true);
                    if (got.problem) { problems++; }
                    if (got.value === undefined) { return; }
                    if (f.name === null) { args = got.value; } else { args[f.name] = got.value; }
                });
                return { args: args, problems: problems };
            }
        };
    }

    /** One field of a form: its label, its input, and the problem with what is typed, shown as you type. */
    function field(parent, name, def, kind, isRequired, whole) {
        var row = $('<div class="mcp-try-field">').attr('data-name', name === null ? '' : name).appendTo(parent);
        var label = $('<label class="mcp-try-label">').text(name === null ? t('tryIt.arguments') : name).appendTo(row);
        if (isRequired) { $('<span class="mcp-try-required">').text(' *').appendTo(label); }
        $('<span class="mcp-try-type">').text(kind === 'array' ? kindOf(def.items) + '[]' : kind === 'json' ? 'JSON' : kind).appendTo(label);
        var input;
        if (kind === 'boolean' || kind === 'enum') {
            input = $('<select class="mcp-try-input">').appendTo(row);
            $('<option value="">').text('').appendTo(input);
            (kind === 'boolean' ? ['true', 'false'] : def.enum).forEach(function (v) { $('<option>').val(v).text(v).appendTo(input); });
        } else if (kind === 'array' || kind === 'json') {
            input = $('<textarea class="mcp-try-input" rows="3">').attr('placeholder', kind === 'array' ? t('tryIt.onePerLine') : whole ? '{}' : 'JSON').appendTo(row);
        } else {
            input = $('<input type="text" class="mcp-try-input">').appendTo(row);
        }
        if (def && def.default !== undefined) { input.val(kind === 'array' && Array.isArray(def.default) ? def.default.join('\n') : kind === 'json' ? JSON.stringify(def.default) : String(def.default)); }
        if (def && typeof def.description === 'string') { input.attr('title', def.description); $('<div class="mcp-try-description">').text(def.description).appendTo(row); }
        var problem = $('<div class="mcp-try-problem">').appendTo(row);
        var touched = false;
        var readNow = function (all) {
            var got = read(def, kind, input.val());
            if (!got.problem && got.value === undefined && isRequired) { got.problem = t('tryIt.problem.required'); }
            var show = got.problem && (touched || all) ? got.problem : '';
            problem.text(show);
            row.toggleClass('mcp-try-invalid', show !== '');
            return got;
        };
        input.on('input change', function () {
            touched = true;
            readNow(false);
        });
        return { name: name, read: readNow };
    }

    /** One content item of a tool result or prompt message, as a client shows it. */
    function contentItem(item) {
        var el = $('<div class="mcp-try-content">');
        if (!isObject(item)) { return el.text(JSON.stringify(item)); }
        if (item.type === 'text') { return el.append($('<pre class="mcp-try-text">').text(item.text)); }
        if (item.type === 'image' && typeof item.data === 'string') {
            return el.append($('<img class="mcp-try-image">').attr('src', 'data:' + (item.mimeType || 'image/png') + ';base64,' + item.data).attr('alt', item.mimeType || 'image'));
        }
        if (item.type === 'audio' && typeof item.data === 'string') {
            return el.append($('<audio controls>').attr('src', 'data:' + (item.mimeType || 'audio/wav') + ';base64,' + item.data));
        }
        if (item.type === 'resource_link') {
            el.append($('<span class="mcp-try-kind">').text(t('tryIt.link')));
            return el.append($('<code>').text(item.uri), item.name ? $('<span>').text(' ' + item.name) : null);
        }
        if (item.type === 'resource' && isObject(item.resource)) { return el.append(resourceContents(item.resource)); }
        return el.append(RED.utils.createObjectElement(item, { key: null }));
    }

    /** One entry of a `resources/read` result (or an embedded resource). */
    function resourceContents(contents) {
        var el = $('<div class="mcp-try-resource">');
        $('<div class="mcp-try-kind">').text(contents.uri + (contents.mimeType ? ' (' + contents.mimeType + ')' : '')).appendTo(el);
        if (typeof contents.text === 'string') {
            $('<pre class="mcp-try-text">').text(contents.text).appendTo(el);
        } else if (typeof contents.blob === 'string' && /^image\//.test(contents.mimeType || '')) {
            $('<img class="mcp-try-image">').attr('src', 'data:' + contents.mimeType + ';base64,' + contents.blob).appendTo(el);
        } else if (typeof contents.blob === 'string') {
            $('<div>').text(t('tryIt.blob', { bytes: Math.floor(contents.blob.length * 3 / 4) })).appendTo(el);
        }
        return el;
    }

    /** Shows an answer of `method` in `target`, as a client would see it. */
    function showAnswer(target, method, answer) {
        target.empty();
        var result = answer.result;
        var failed = answer.error !== undefined || (isObject(result) && result.isError === true);
        var box = $('<div class="mcp-try-result">').toggleClass('mcp-try-error', failed).appendTo(target);
        $('<div class="mcp-try-meta">').text((answer.error ? t('tryIt.error', { code: answer.error.code }) : failed ? t('tryIt.toolError') : t('tryIt.ok')) + ' · ' + answer.durationMs + ' ms').appendTo(box);
        if (answer.error) {
            $('<pre class="mcp-try-text">').text(answer.error.message).appendTo(box);
            if (answer.error.data !== undefined) { box.append(RED.utils.createObjectElement(answer.error.data, { key: 'data' })); }
        } else if (method === 'tools/call' && isObject(result)) {
            (Array.isArray(result.content) ? result.content : []).forEach(function (item) { box.append(contentItem(item)); });
            if (result.structuredContent !== undefined) {
                $('<div class="mcp-try-kind">').text('structuredContent').appendTo(box);
                box.append(RED.utils.createObjectElement(result.structuredContent, { key: null }));
            }
        } else if (method === 'prompts/get' && isObject(result) && Array.isArray(result.messages)) {
            result.messages.forEach(function (m) {
                $('<div class="mcp-try-kind">').text(m.role).appendTo(box);
                box.append(contentItem(m.content));
            });
        } else if (method === 'resources/read' && isObject(result) && Array.isArray(result.contents)) {
            result.contents.forEach(function (c) { box.append(resourceContents(c)); });
        } else {
            box.append(RED.utils.createObjectElement(result, { key: null }));
        }
        (answer.progress || []).forEach(function (p) {
            var text = t('tryIt.progress', { progress: p.progress }) + (p.total !== undefined ? '/' + p.total : '') + (p.message ? ' ' + p.message : '');
            $('<div class="mcp-try-note">').text(text).appendTo(target);
        });
        (answer.serverRequests || []).forEach(function (r) {
            $('<div class="mcp-try-note">').text(t('tryIt.serverRequest', { method: r.method })).appendTo(target);
        });
    }

    /**
     * A Try it panel for one tool, prompt or resource of an endpoint: its form, Call, the answer.
     * @param {{endpoint: string, kind: 'tool'|'prompt'|'resource', item: object}} what the item as
     *   the endpoint lists it (a tool with its `inputSchema`, a prompt with its `arguments`, a
     *   resource or resource template)
     */
    function panel(what) {
        var element = $('<div class="mcp-try">');
        var method = what.kind === 'tool' ? 'tools/call' : what.kind === 'prompt' ? 'prompts/get' : 'resources/read';
        var schema;
        if (what.kind === 'tool') {
            schema = what.item.inputSchema;
        } else if (what.kind === 'prompt') {
            schema = { type: 'object', properties: {}, required: [] };
            (what.item.arguments || []).forEach(function (a) {
                schema.properties[a.name] = { type: 'string', description: a.description };
                if (a.required) { schema.required.push(a.name); }
            });
        } else {
            schema = { type: 'object', properties: { uri: { type: 'string', default: what.item.uri || what.item.uriTemplate } }, required: ['uri'] };
        }
        var built = form(schema);
        element.append(built.element);
        var buttons = $('<div class="mcp-try-buttons">').appendTo(element);
        var go = $('<button type="button" class="red-ui-button mcp-try-call"><i class="fa fa-play"></i> </button>').appendTo(buttons);
        go.append($('<span>').text(t('tryIt.call')));
        var answer = $('<div class="mcp-try-answer">').appendTo(element);
        go.on('click', function () {
            var value = built.value();
            var params = what.kind === 'tool' ? { name: what.item.name, arguments: value.args }
                : what.kind === 'prompt' ? { name: what.item.name, arguments: value.args } : { uri: value.args.uri };
            go.prop('disabled', true);
            answer.empty().append($('<div class="mcp-try-note">').text(t('tryIt.calling')));
            call(what.endpoint, method, params).then(function (got) {
                showAnswer(answer, method, got);
            }, function (xhr) {
                answer.empty().append($('<div class="mcp-try-result mcp-try-error">').text(failure(xhr)));
            }).always(function () { go.prop('disabled', false); });
        });
        return element;
    }

    /** The list `kind` of an endpoint (`tools/list` and the others, answered by its declarations or its flow): a promise of the items. */
    function listOf(endpointId, kind) {
        var method = kind === 'tool' ? 'tools/list' : kind === 'prompt' ? 'prompts/list' : 'resources/list';
        var key = kind === 'tool' ? 'tools' : kind === 'prompt' ? 'prompts' : 'resources';
        return call(endpointId, method, {}).then(function (answer) {
            return answer.result && Array.isArray(answer.result[key]) ? answer.result[key] : [];
        });
    }

    /**
     * The Try it button of a dialog (tool, prompt, resource): finds the deployed item named in the
     * dialog on the dialog's endpoint, and opens its panel below the button.
     */
    $(document).on('click', '.mcp-try-dialog-button', function () {
        var button = $(this);
        var kind = button.attr('data-kind');
        var target = button.siblings('.mcp-try-dialog-panel').empty();
        var endpointId = $('#node-input-endpoint').val();
        var key = kind === 'resource' ? $('#node-input-uri').val() : $('#node-input-name').val();
        if (!endpointId || !key) {
            target.append($('<div class="mcp-try-note">').text(t('tryIt.nameFirst')));
            return;
        }
        listOf(endpointId, kind).then(function (items) {
            var item = items.filter(function (i) { return kind === 'resource' ? i.uri === key : i.name === key; })[0];
            if (kind === 'resource' && !item) { item = { uri: key }; }
            if (!item) {
                target.append($('<div class="mcp-try-note">').text(t('tryIt.notDeployed', { name: key })));
                return;
            }
            $('<div class="mcp-try-note">').text(t('tryIt.deployedOnly')).appendTo(target);
            target.append(panel({ endpoint: endpointId, kind: kind, item: item }));
        }, function (xhr) {
            target.append($('<div class="mcp-try-result mcp-try-error">').text(failure(xhr)));
        });
    });

    window.mcpSseTryIt = { call: call, form: form, panel: panel, listOf: listOf, showAnswer: showAnswer, kindOf: kindOf, read: read };
})();
