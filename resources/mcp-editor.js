/*
 * Editor code shared by this package's node definitions: which routes an endpoint's settings make
 * the nodes serve, the one definition behind the `mcp sse in` and `mcp message in` dialogs, the
 * endpoint dialog's Connect tab (its URLs and ready-to-paste client configurations), and MCP Apps
 * (`views`: the CSP origin check of `mcp sse view`, the View select of `mcp sse tool`).
 *
 * Why a resource file, not one node's html. `mcp sse in` and `mcp message in` are two node sets
 * (a .js each, and Node-RED reads the .html beside each .js), and the editor appends the html of
 * each set in whatever order it arrives: a palette install fetches them one by one, concurrently,
 * and the palette manager can disable either set on its own. Code kept in one set's html would be
 * missing whenever that set arrives second or is disabled; one html registering both types would
 * leave the other type without a definition when its set is the one enabled (and the runtime
 * takes each set's types from the templates in its own html, so each html keeps its template).
 * Node-RED's place for code shared by the nodes of a module is its `resources/` folder, served
 * at `resources/<module>/<file>` (Node-RED 1.3 and later): the editor loads each
 * `<script src="resources/...">` of a set's html, and waits for it, before it appends the rest of
 * that html (`appendConfig` in the editor's red.js). So this file is there before any definition
 * that uses it, whatever the order and whichever sets are enabled. Each set's html names it, so it
 * may run more than once: the first run defines `window.mcpSseEditor`, later runs keep it.
 *
 * Each html still calls `RED.nodes.registerType('<type>', { ... })` with the type literal and the
 * definition inline (category, color, defaults, inputs, outputs, icon as literals): the Flow
 * Library scorecard (node-red-dev validate) reads those with a parser; the functions it does not
 * read come from here.
 */
(function () {
    'use strict';
    if (window.mcpSseEditor) { return; }

    var MODULE = 'node-red-contrib-mcp-sse';

    /** The transports' names, as the MCP specification spells them. */
    var TRANSPORT_NAMES = { sse: 'HTTP+SSE', 'streamable-http': 'Streamable HTTP' };

    /**
     * The transports an endpoint's settings turn on, as the runtime reads them
     * (nodes/mcp-sse-endpoint.ts): HTTP+SSE unless `sse` is false, Streamable HTTP only when
     * `streamable` is true (a flow saved before these settings existed keeps only HTTP+SSE).
     * @param {{sse?: boolean, streamable?: boolean}} settings the endpoint node, or its dialog's values
     * @returns {{sse: boolean, streamable: boolean}}
     */
    function transports(settings) {
        return { sse: settings.sse !== false, streamable: settings.streamable === true };
    }

    /**
     * The route table, as the runtime defines it (nodes/lib/route-table.ts) and hands it to the
     * editor as the endpoint node's exported setting `mcpSseEndpointRoutes`: per route the setting
     * holding its path (`field`), its default (`fallback`), `methods`, the node type that serves it
     * (`node`) and its `transport`. Empty when the endpoint node is not installed.
     */
    function routeTable() {
        return (RED.settings && RED.settings.mcpSseEndpointRoutes) || [];
    }

    /**
     * The HTTP routes an endpoint's settings make its nodes serve, for the transports that are on,
     * in the route table's order.
     * @param {object} settings the endpoint node, or its dialog's values
     * @returns {Array<{field: string, path: string, methods: string[], node: string, transport: string}>}
     *   `field` is the setting holding the path, `node` the node type that serves it
     */
    function routes(settings) {
        var on = transports(settings);
        return routeTable().filter(function (r) {
            return r.transport === 'sse' ? on.sse : on.streamable;
        }).map(function (r) {
            return { field: r.field, path: settings[r.field] || r.fallback, methods: r.methods, node: r.node, transport: r.transport };
        });
    }

    /**
     * The first method + path two route lists both serve: Express, and so Node-RED, serves each
     * method + path once (nodes/lib/routes.ts), so such routes cannot both be served.
     * @returns {{method: string, path: string, route: object} | null} `route` is the one in `b`
     */
    function sharedRoute(a, b) {
        for (var i = 0; i < a.length; i++) {
            for (var j = 0; j < b.length; j++) {
                if (a[i].path !== b[j].path) { continue; }
                for (var m = 0; m < a[i].methods.length; m++) {
                    if (b[j].methods.indexOf(a[i].methods[m]) !== -1) {
                        return { method: a[i].methods[m], path: a[i].path, route: b[j] };
                    }
                }
            }
        }
        return null;
    }

    /** The routes of the endpoint with id `endpointId` that a node of `type` serves; none without an endpoint. */
    function routesOfNode(type, endpointId) {
        var endpoint = endpointId ? RED.nodes.node(endpointId) : null;
        return endpoint ? routes(endpoint).filter(function (r) { return r.node === type; }) : [];
    }

    /**
     * The parts of the `mcp sse in` and `mcp message in` definitions that are the same but for the
     * type (`this.type`): the routes served come from the endpoint's settings.
     */
    var inNode = {
        /**
         * Validator of the `endpoint` property: true, or (when the editor asks, opt) why not:
         * another enabled node of the same type serves one of the same routes, which the runtime
         * would refuse at deploy ("path in use").
         */
        validateEndpoint: function (v, opt) {
            var node = this;
            var mine = routesOfNode(node.type, v);
            var clash = null;
            RED.nodes.eachNode(function (other) {
                if (clash === null && other.type === node.type && other.id !== node.id && !other.d) {
                    clash = sharedRoute(mine, routesOfNode(other.type, other.endpoint));
                }
            });
            if (clash === null) { return true; }
            return opt ? RED._(MODULE + '/' + node.type + ':' + node.type + '.errors.sharedEndpoint', { route: clash.method + ' ' + clash.path }) : false;
        },
        /** The palette label (`this` is the definition). */
        paletteLabel: function () { return this._(this.type + '.paletteLabel'); },
        /** The node's label: its name, else the routes it serves, e.g. `POST /sse/message + /mcp`. */
        label: function () {
            if (this.name) { return this.name; }
            var own = routesOfNode(this.type, this.endpoint);
            if (own.length === 0) { return this._(this.type + '.paletteLabel'); }
            return this._(this.type + '.label.default', { path: own.map(function (r) { return r.path; }).join(' + ') });
        },
        labelStyle: function () { return this.name ? 'node_label_italic' : ''; },
        outputLabels: function () { return this._(this.type + '.outputLabels'); },
        /** Says, under the endpoint, which routes the chosen endpoint makes this node serve. */
        oneditprepare: function () {
            var node = this;
            var tip = $('#node-input-route-tip');
            $('#node-input-endpoint').on('change', function () {
                var id = $(this).val();
                if (!RED.nodes.node(id)) { tip.text('').hide(); return; }
                var own = routesOfNode(node.type, id).map(function (r) {
                    return r.methods.join(', ') + ' ' + r.path + ' (' + TRANSPORT_NAMES[r.transport] + ')';
                });
                tip.text(own.length === 0
                    ? node._(node.type + '.label.servesNothing')
                    : node._(node.type + '.label.serves', { routes: own.join(node._(node.type + '.label.and')) })).show();
            }).trigger('change');
        }
    };

    /**
     * The start of every URL this Node-RED serves its routes on, as this browser reaches it: the
     * editor's own origin and `httpNodeRoot` (the editor's settings say `/` when it is false, and
     * nothing about a proxy in front), without the trailing slash.
     * @param {{protocol: string, host: string}} location the editor's `window.location`
     * @param {string} [httpNodeRoot] `RED.settings.httpNodeRoot`, e.g. `/` or `/api/`
     * @returns {string} e.g. `http://127.0.0.1:1880` or `http://127.0.0.1:1880/api`
     */
    function nodeBase(location, httpNodeRoot) {
        var root = typeof httpNodeRoot === 'string' ? httpNodeRoot : '/';
        if (root.charAt(0) !== '/') { root = '/' + root; }
        return location.protocol + '//' + location.host + root.replace(/\/+$/, '');
    }

    /**
     * The full URL of each route an endpoint's settings serve, Streamable HTTP first (the one to
     * give clients that speak it), then the SSE path and the message path.
     * @param {object} settings the endpoint node, or its dialog's values
     * @param {string} base from {@link nodeBase}
     * @returns {Array<{field: string, transport: string, methods: string[], url: string}>}
     */
    function urls(settings, base) {
        var first = function (r) { return r.transport === 'streamable-http' ? 0 : 1; };
        return routes(settings).sort(function (a, b) { return first(a) - first(b); }).map(function (r) {
            return { field: r.field, transport: r.transport, methods: r.methods, url: base + r.path };
        });
    }

    /** The placeholder the configurations carry where the token goes: the editor never shows the token. */
    var TOKEN_PLACEHOLDER = '<token>';

    /** True for a URL mcp-remote refuses without `--allow-http`: plain HTTP to a host other than localhost and 127.0.0.1. */
    function needsAllowHttp(url) {
        var m = /^http:\/\/(\[[^\]]*\]|[^/:]*)/i.exec(url);
        return m !== null && m[1] !== 'localhost' && m[1] !== '127.0.0.1';
    }

    /** A word for the shell: as it is when it is safe, else in single quotes. */
    function shellWord(word) {
        return /^[A-Za-z0-9_\/:.,=@%+-]+$/.test(word) ? word : "'" + word.replace(/'/g, "'\\''") + "'";
    }

    /** The longest line {@link formatJson} puts an array of strings on, in characters (indent included). */
    var JSON_LINE = 72;

    /**
     * JSON as people write client configurations: two-space indent, with an array of strings or
     * numbers kept on one line while it fits (`"args": ["-y", "mcp-remote", "..."]`).
     */
    function formatJson(value, indent) {
        indent = indent || '';
        var inner = indent + '  ';
        if (Array.isArray(value)) {
            if (value.every(function (v) { return v === null || typeof v !== 'object'; })) {
                var line = '[' + value.map(function (v) { return JSON.stringify(v); }).join(', ') + ']';
                if (indent.length + line.length <= JSON_LINE) { return line; }
                return '[\n' + value.map(function (v) { return inner + JSON.stringify(v); }).join(',\n') + '\n' + indent + ']';
            }
            return value.length === 0 ? '[]' : '[\n' + value.map(function (v) { return inner + formatJson(v, inner); }).join(',\n') + '\n' + indent + ']';
        }
        if (value !== null && typeof value === 'object') {
            var keys = Object.keys(value);
            return keys.length === 0 ? '{}' : '{\n' + keys.map(function (k) {
                return inner + JSON.stringify(k) + ': ' + formatJson(value[k], inner);
            }).join(',\n') + '\n' + indent + '}';
        }
        return JSON.stringify(value);
    }

    /** The key a configuration files the server under: the endpoint's server name or name as a slug, else `node-red`. */
    function serverKey(settings) {
        var slug = String(settings.serverName || settings.name || '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
        return slug || 'node-red';
    }

    /** The clients {@link clientConfigs} writes for, in the order the Connect tab lists them. */
    var CLIENTS = ['claude-desktop', 'cursor', 'vscode', 'inspector'];

    /**
     * Ready-to-paste configurations of the MCP clients users run, for an endpoint: Claude Desktop
     * through the `mcp-remote` bridge, Cursor, VS Code and the MCP Inspector's command line. Each
     * speaks Streamable HTTP to the Streamable path when that transport is on, else HTTP+SSE to
     * the SSE path (`--transport sse-only`, `"type": "sse"`, `--transport sse`).
     *
     * With a token, each sends it as the client expects: `Authorization: Bearer`, or the token
     * header with the bare token. The token itself never appears: mcp-remote reads it from an
     * environment variable set in the config to `<token>`, Cursor and the Inspector carry
     * `<token>`, VS Code asks for it when it starts the server (`${input:...}`, a password input).
     *
     * @param {object} settings the endpoint's (dialog) values: the transport settings and paths,
     *   `name`, `serverName`, `authHeader`, and `token` (true when a token is set)
     * @param {string} base from {@link nodeBase}
     * @returns {Array<{client: string, url: string, text: string, placeholder: boolean}>} one per
     *   client of {@link CLIENTS}, `text` the JSON or the command line, `placeholder` true when
     *   it holds `<token>` to replace; empty when no transport is on
     */
    function clientConfigs(settings, base) {
        var on = transports(settings);
        if (!on.sse && !on.streamable) { return []; }
        var streamable = on.streamable;
        // Streamable HTTP's path when it is on, else the SSE path (urls lists them in that order).
        var url = urls(settings, base)[0].url;
        var key = serverKey(settings);
        var token = settings.token === true;
        var header = (settings.authHeader || '').trim() || 'Authorization';
        var bearer = header.toLowerCase() === 'authorization';
        var value = function (secret) { return (bearer ? 'Bearer ' : '') + secret; };
        var headers = {};
        headers[header] = value(TOKEN_PLACEHOLDER);

        // Claude Desktop: mcp-remote's own header syntax, the value from env (its README's
        // workaround for clients that do not quote arguments with spaces).
        var args = ['-y', 'mcp-remote', url];
        if (!streamable) { args.push('--transport', 'sse-only'); }
        if (needsAllowHttp(url)) { args.push('--allow-http'); }
        var claude = { command: 'npx', args: args };
        if (token) {
            args.push('--header', header + ':${AUTH_HEADER}');
            claude.env = { AUTH_HEADER: value(TOKEN_PLACEHOLDER) };
        }

        var cursor = { url: url };
        if (token) { cursor.headers = headers; }

        var vscodeServer = { type: streamable ? 'http' : 'sse', url: url };
        var vscode = { servers: {} };
        vscode.servers[key] = vscodeServer;
        if (token) {
            var input = key + '-token';
            vscodeServer.headers = {};
            vscodeServer.headers[header] = value('${input:' + input + '}');
            vscode.inputs = [{ type: 'promptString', id: input, description: 'Token of the MCP server ' + key, password: true }];
        }

        var command = ['npx', '-y', '@modelcontextprotocol/inspector', '--cli', url, '--transport', streamable ? 'http' : 'sse', '--method', 'tools/list'].map(shellWord);
        if (token) {
            // Double quotes, as the shells of all three systems take them, unless the header name
            // holds a character they would expand.
            var line = header + ': ' + value(TOKEN_PLACEHOLDER);
            command.push('--header', /[$`"\\!]/.test(line) ? shellWord(line) : '"' + line + '"');
        }

        var wrap = function (entry) { var servers = {}; servers[key] = entry; return { mcpServers: servers }; };
        return [
            { client: 'claude-desktop', url: url, text: formatJson(wrap(claude)), placeholder: token },
            { client: 'cursor', url: url, text: formatJson(wrap(cursor)), placeholder: token },
            { client: 'vscode', url: url, text: formatJson(vscode), placeholder: false },
            { client: 'inspector', url: url, text: command.join(' '), placeholder: token }
        ];
    }

    /**
     * The lists an endpoint answers from its declarations alone once one of their items is
     * declared, the kind of item, and the node type that declares it (as nodes/lib/shadowed-lists.ts).
     */
    var DECLARED_LISTS = [
        { method: 'tools/list', kind: 'tool', declaredBy: 'mcp-sse-tool' },
        { method: 'resources/list', kind: 'resource', declaredBy: 'mcp-sse-resource' },
        { method: 'resources/templates/list', kind: 'resource', declaredBy: 'mcp-sse-resource' },
        { method: 'prompts/list', kind: 'prompt', declaredBy: 'mcp-sse-prompt' }
    ];

    /** Properties of a node that are not its settings. */
    var NOT_SETTINGS = ['id', 'type', 'z', 'g', 'x', 'y', 'w', 'h', 'd', 'wires', 'links', 'credentials'];

    /**
     * The lists an endpoint answers from its declared items alone while the flow after one of its
     * `mcp message in` nodes answers them too: a node there names the method in its settings (a
     * switch rule, a function's code), so the items that flow lists never reach clients. The same
     * as the runtime finds at deploy (nodes/lib/shadowed-lists.ts, which says why the endpoint does
     * not merge the lists); both are tested on one table. The flow is followed along its wires,
     * from `link out` and `link call` to their `link in` nodes, and into the subflows it reaches.
     * @param {string} endpointId the endpoint's id
     * @param {Array<object>} nodes the flow configuration's nodes (as `RED.nodes.convertNode` gives them)
     * @param {function(string): number} declared how many items of a kind (`tool`, `resource`,
     *   `prompt`) are declared on the endpoint
     * @param {function(string): boolean} [running] false for an `mcp message in` node that does not run
     * @returns {Array<{method: string, declaredBy: string, node: object}>}
     */
    function shadowedLists(endpointId, nodes, declared, running) {
        var byId = {};
        var inSubflow = {};
        nodes.forEach(function (n) {
            byId[n.id] = n;
            if (n.z) { (inSubflow[n.z] = inSubflow[n.z] || []).push(n.id); }
        });
        var ids = function (value) {
            var list = [];
            (Array.isArray(value) ? value : []).forEach(function (v) { list = list.concat(v); });
            return list.filter(function (id) { return typeof id === 'string'; });
        };
        var next = function (n) {
            var list = ids(n.wires);
            if (n.type === 'link out' || n.type === 'link call') { list = list.concat(ids(n.links)); }
            if (n.type.indexOf('subflow:') === 0) { list = list.concat(inSubflow[n.type.slice('subflow:'.length)] || []); }
            return list;
        };
        var queue = [];
        nodes.forEach(function (n) {
            if (n.type === 'mcp-message-in' && n.endpoint === endpointId && n.d !== true && (!running || running(n.id))) { queue = queue.concat(next(n)); }
        });
        var seen = {};
        queue.forEach(function (id) { seen[id] = true; });
        var reached = [];
        for (var i = 0; i < queue.length; i++) {
            var n = byId[queue[i]];
            if (!n || n.d === true) { continue; }
            reached.push(n);
            next(n).forEach(function (id) {
                if (!seen[id]) { seen[id] = true; queue.push(id); }
            });
        }
        var mentions = function (n, method) {
            // A method is letters and `/`: nothing to escape. Named as a whole: not notifications/tools/list_changed.
            var named = new RegExp('(^|[^\\w/])' + method + '(?![\\w/])');
            return Object.keys(n).some(function (key) {
                var value = n[key];
                if (NOT_SETTINGS.indexOf(key) !== -1) { return false; }
                return named.test(typeof value === 'string' ? value : value !== null && typeof value === 'object' ? JSON.stringify(value) : '');
            });
        };
        var shadowed = [];
        DECLARED_LISTS.forEach(function (list) {
            if (declared(list.kind) === 0) { return; }
            var found = reached.filter(function (n) { return mentions(n, list.method); })[0];
            if (found) { shadowed.push({ method: list.method, declaredBy: list.declaredBy, node: found }); }
        });
        return shadowed;
    }

    /**
     * {@link shadowedLists} of endpoint `endpointId` in the editor's workspace, deployed or not:
     * its nodes as the runtime will get them, nodes on a disabled flow left out.
     */
    function shadowedListsInWorkspace(endpointId) {
        var nodes = [];
        var add = function (n) { nodes.push(RED.nodes.convertNode(n, false)); };
        RED.nodes.eachNode(add);
        if (RED.nodes.eachJunction) { RED.nodes.eachJunction(add); }
        var onDisabledFlow = function (n) {
            var flow = n.z ? RED.nodes.workspace(n.z) : null;
            return !!(flow && flow.disabled);
        };
        var byId = {};
        nodes.forEach(function (n) { byId[n.id] = n; });
        var declared = function (kind) {
            var type = DECLARED_LISTS.filter(function (list) { return list.kind === kind; })[0].declaredBy;
            return nodes.filter(function (n) { return n.type === type && n.endpoint === endpointId && n.d !== true && !onDisabledFlow(n); }).length;
        };
        return shadowedLists(endpointId, nodes, declared, function (id) { return !onDisabledFlow(byId[id]); });
    }

    /**
     * The endpoint dialog's Connect tab (`#mcp-sse-endpoint-tab-connect` in
     * nodes/mcp-sse-endpoint.html): the full URLs with copy buttons, and a client picker showing
     * that client's configuration with a copy button. Kept up to date with the dialog's values.
     */
    var connectTab = {
        /**
         * Fills the tab now, and again whenever a value in the dialog changes.
         * @param {function(): object} settings the dialog's current values, as {@link clientConfigs} takes them
         */
        prepare: function (settings) {
            var ns = MODULE + '/mcp-sse-endpoint:mcp-sse-endpoint.connect.';
            var tab = $('#mcp-sse-endpoint-tab-connect');
            var picker = $('#mcp-sse-endpoint-client');
            CLIENTS.forEach(function (client) {
                $('<option>').val(client).text(RED._(ns + 'client.' + client)).appendTo(picker);
            });
            var copyButton = function (text) {
                return $('<button type="button" class="red-ui-button red-ui-button-small mcp-sse-endpoint-copy"><i class="fa fa-copy"></i></button>')
                    .attr('title', RED._(ns + 'copy'))
                    .on('click', function (event) {
                        event.preventDefault();
                        RED.clipboard.copyText(text, $(this), ns + 'copied');
                    });
            };
            // The lists a flow answers that declarations shadow depend on the workspace, not on this
            // dialog's fields: found once per dialog open (it converts every node of the workspace).
            var id = settings().id;
            var shadowed = $('#mcp-sse-endpoint-connect-shadowed').empty();
            (id ? shadowedListsInWorkspace(id) : []).forEach(function (found) {
                var node = found.node.name ? '"' + found.node.name + '"' : found.node.type;
                $('<div class="form-tips mcp-sse-endpoint-shadowed">').append($('<i class="fa fa-warning"></i>'), ' ',
                    $('<span>').text(RED._(ns + 'shadowed', { method: found.method, declaredBy: found.declaredBy, node: node }))).appendTo(shadowed);
            });
            var render = function () {
                var values = settings();
                var base = nodeBase(window.location, RED.settings.httpNodeRoot);
                var list = $('#mcp-sse-endpoint-urls').empty();
                urls(values, base).forEach(function (u) {
                    var row = $('<div class="form-row mcp-sse-endpoint-url">').attr('data-field', u.field).appendTo(list);
                    $('<label>').text(RED._(ns + 'url.' + u.field)).appendTo(row);
                    $('<code>').text(u.url).appendTo(row);
                    copyButton(u.url).appendTo(row);
                    $('<div class="mcp-sse-endpoint-url-hint">').text(u.methods.join(', ') + ' · ' + RED._(ns + 'hint.' + u.field)).appendTo(row);
                });
                var configs = clientConfigs(values, base);
                tab.find('.mcp-sse-endpoint-connect-clients').toggle(configs.length > 0);
                $('#mcp-sse-endpoint-connect-none').toggle(configs.length === 0);
                var config = configs.filter(function (c) { return c.client === picker.val(); })[0];
                if (config === undefined) { return; }
                $('#mcp-sse-endpoint-client-where').text(RED._(ns + 'where.' + config.client + (values.token && config.client === 'vscode' ? 'Token' : '')));
                $('#mcp-sse-endpoint-client-config').text(config.text);
                $('#mcp-sse-endpoint-client-copy').empty().append(copyButton(config.text));
                $('#mcp-sse-endpoint-client-token').toggle(config.placeholder);
            };
            picker.on('change', render);
            tab.closest('form').on('input change', ':input:not(#mcp-sse-endpoint-client)', render);
            tab.on('mcp-sse-endpoint-show', render);
            render();
        }
    };

    /**
     * MCP Apps in the dialogs of `mcp sse view` and `mcp sse tool`: the CSP origin check (with the
     * runtime's own patterns, core/features/apps.ts, which refuses the same at deploy), and the
     * views of an endpoint.
     */
    var views = (function () {
        var NS = MODULE + '/mcp-sse-view:mcp-sse-view.errors.';
        var patterns = null;

        /**
         * The runtime's pattern `name` (`origin`, `domain`), made from the view node's exported
         * setting (`RED.settings.mcpSseViewPatterns`, nodes/lib/view-settings.ts) when first needed;
         * null when the runtime published none (then a deploy checks alone).
         */
        function pattern(name) {
            if (patterns === null) {
                var published = RED.settings && RED.settings.mcpSseViewPatterns;
                if (!published) { return null; }
                patterns = { origin: new RegExp(published.origin), domain: new RegExp(published.domain) };
            }
            return patterns[name];
        }

        /** True for an origin a CSP list may name: http(s)/ws(s), a host (`*.` allowed first), an optional port, no path. */
        function isCspOrigin(text) {
            var origin = pattern('origin');
            if (origin === null) { return true; }
            if (!origin.test(text)) { return false; }
            var port = /:(\d+)\/?$/.exec(text.replace(/^[a-z]+:\/\//i, ''));
            return port === null || (Number(port[1]) >= 1 && Number(port[1]) <= 65535);
        }

        /** The entries of a list field: separated by spaces, commas or new lines. */
        function entries(text) {
            return String(text || '').split(/[\s,]+/).filter(function (e) { return e !== ''; });
        }

        /**
         * Validator of a CSP list field: true, or (when the editor asks, opt) the message naming the
         * first entry that is not an origin. The field is marked and the node flagged until it is fixed.
         */
        function cspField(v, opt) {
            var bad = entries(v).filter(function (e) { return !isCspOrigin(e); })[0];
            if (bad === undefined) { return true; }
            return opt ? RED._(NS + 'origin', { origin: bad }) : false;
        }

        /** Validator of the domain field: blank, or a host name (optionally as an origin). */
        function domainField(v, opt) {
            var text = String(v || '').trim();
            var domain = pattern('domain');
            if (text === '' || domain === null || domain.test(text)) { return true; }
            return opt ? RED._(NS + 'domain') : false;
        }

        /**
         * The URIs of the enabled `mcp sse view` nodes of each endpoint, `{ endpointId: { uri: true } }`:
         * found once per turn of the event loop, so that a validation pass over every node (the
         * editor's, after an import or a deploy) scans the workspace once, not once per tool.
         */
        var uriSets = null;
        function viewUris(endpointId) {
            if (uriSets === null) {
                var sets = Object.create(null);
                RED.nodes.eachNode(function (n) {
                    if (n.type !== 'mcp-sse-view' || n.d || !n.uri) { return; }
                    if (!sets[n.endpoint]) { sets[n.endpoint] = Object.create(null); }
                    sets[n.endpoint][n.uri] = true;
                });
                uriSets = sets;
                Promise.resolve().then(function () { uriSets = null; });
            }
            return uriSets[endpointId] || Object.create(null);
        }

        /** The enabled `mcp sse view` nodes of the endpoint `endpointId`, by URI: `[{ uri, name, id }]`. */
        function ofEndpoint(endpointId) {
            var found = [];
            RED.nodes.eachNode(function (n) {
                if (n.type === 'mcp-sse-view' && n.endpoint === endpointId && !n.d && n.uri) {
                    found.push({ uri: n.uri, name: n.name || '', id: n.id });
                }
            });
            return found.sort(function (a, b) { return a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0; });
        }

        /**
         * Validator of a tool's View: blank, or the URI of a view on the tool's endpoint (the
         * runtime reports a missing one at deploy and lists the tool without the link).
         */
        function toolView(v, opt) {
            if (!v || viewUris(this.endpoint)[v] === true) { return true; }
            return opt ? RED._(MODULE + '/mcp-sse-tool:mcp-sse-tool.errors.viewMissing', { uri: v }) : false;
        }

        /**
         * Fills the tool dialog's View select with the views of the endpoint chosen in the dialog,
         * again whenever the endpoint changes; a View naming no view stays selected, marked missing.
         * @param {string} current the tool's View
         */
        function prepareSelect(current) {
            var select = $('#node-input-view');
            var fill = function () {
                var chosen = select.val() === null ? current : select.val();
                select.empty();
                $('<option>').val('').text(RED._(MODULE + '/mcp-sse-tool:mcp-sse-tool.label.noView')).appendTo(select);
                var list = ofEndpoint($('#node-input-endpoint').val());
                list.forEach(function (view) {
                    $('<option>').val(view.uri).text(view.name ? view.name + ' (' + view.uri + ')' : view.uri).appendTo(select);
                });
                if (chosen && !list.some(function (view) { return view.uri === chosen; })) {
                    $('<option>').val(chosen).text(RED._(MODULE + '/mcp-sse-tool:mcp-sse-tool.label.missingView', { uri: chosen })).appendTo(select);
                }
                select.val(chosen || '');
            };
            $('#node-input-endpoint').on('change', fill);
            fill();
        }

        return { isCspOrigin: isCspOrigin, cspField: cspField, domainField: domainField, ofEndpoint: ofEndpoint, toolView: toolView, prepareSelect: prepareSelect };
    })();

    window.mcpSseEditor = {
        views: views,
        transports: transports,
        transportNames: TRANSPORT_NAMES,
        routes: routes,
        sharedRoute: sharedRoute,
        inNode: inNode,
        nodeBase: nodeBase,
        urls: urls,
        clientConfigs: clientConfigs,
        shadowedLists: shadowedLists,
        connectTab: connectTab
    };
})();
