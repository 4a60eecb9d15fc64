/*
 * Editor code shared by this package's node definitions: which routes an endpoint's settings make
 * the nodes serve, and the one definition behind the `mcp sse in` and `mcp message in` dialogs.
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
    var TRANSPORT_NAMES = { sse: 'HTTP+SSE', streamable: 'Streamable HTTP' };

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
     * The HTTP routes an endpoint's settings make its nodes serve, as nodes/mcp-sse-in.ts and
     * nodes/mcp-message-in.ts register them, for the transports that are on.
     * @param {object} settings the endpoint node, or its dialog's values
     * @returns {Array<{field: string, path: string, methods: string[], node: string, transport: string}>}
     *   `field` is the setting holding the path, `node` the node type that serves it
     */
    function routes(settings) {
        var on = transports(settings);
        var list = [];
        if (on.sse) {
            list.push({ field: 'ssePath', path: settings.ssePath || '/sse', methods: ['GET'], node: 'mcp-sse-in', transport: 'sse' });
            list.push({ field: 'messagePath', path: settings.messagePath || '/message', methods: ['POST'], node: 'mcp-message-in', transport: 'sse' });
        }
        if (on.streamable) {
            list.push({ field: 'streamablePath', path: settings.streamablePath || '/mcp', methods: ['POST', 'GET', 'DELETE'], node: 'mcp-message-in', transport: 'streamable' });
        }
        return list;
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

    window.mcpSseEditor = {
        transports: transports,
        transportNames: TRANSPORT_NAMES,
        routes: routes,
        sharedRoute: sharedRoute,
        inNode: inNode
    };
})();
