/*
 * The MCP sidebar tab (the editor half of the `mcp-sse-workbench` plugin, nodes/mcp-sse-workbench.html),
 * in the style of the Debug tab: every running endpoint with its copyable URLs, its open sessions
 * (client, transport, protocol version, age, last activity, requests in flight, an end button),
 * and a live activity list (method, name, session, duration, outcome; an MCP task's status as a
 * badge; errors in red; filters by endpoint, session, method (or name, or task id) and errors
 * only; a click shows the params and result when the endpoint records them).
 *
 * It reads the admin API (`mcp-sse/endpoints...`, relative to the editor so that httpAdminRoot and
 * the editor's own token apply) and hears each endpoint's batches on comms
 * (`mcp-sse/activity/<endpoint id>`, at most one every 250 ms per endpoint: see
 * nodes/lib/workbench.ts). Sessions and counts are this Node-RED instance's: with several
 * instances (Redis), the tab says so.
 */
(function () {
    'use strict';
    if (window.mcpSseWorkbench) { return; }

    var NS = 'node-red-contrib-mcp-sse/mcp-sse-workbench:';
    var TAB_ID = 'mcp-sse-workbench';
    /** Activity rows kept in the list; older ones are removed. */
    var MAX_ROWS = 500;
    /** Entries read when the tab first loads an endpoint. */
    var FIRST_ENTRIES = 100;
    /** How often the tab refreshes the sessions and counts while it is shown, in ms. */
    var REFRESH_MS = 5000;
    var TRANSPORT_NAMES = { sse: 'HTTP+SSE', 'streamable-http': 'Streamable HTTP' };

    function t(key, options) { return RED._(NS + key, options); }

    /** The admin API at `path` (below mcp-sse/): a jQuery promise of its JSON. */
    function api(method, path, body) {
        var request = { url: 'mcp-sse/' + path, method: method, dataType: 'json', cache: false };
        if (body !== undefined) {
            request.contentType = 'application/json';
            request.data = JSON.stringify(body);
        }
        return $.ajax(request);
    }

    /** "12 s", "3 min", "2 h", "4 d". */
    function age(ms) {
        var s = Math.max(0, Math.round(ms / 1000));
        if (s < 60) { return s + ' s'; }
        if (s < 3600) { return Math.floor(s / 60) + ' min'; }
        if (s < 86400) { return Math.floor(s / 3600) + ' h'; }
        return Math.floor(s / 86400) + ' d';
    }

    /** The time of day of an epoch ms, with ms, as the Debug tab shows it. */
    function timeOf(at) {
        var d = new Date(at);
        var pad = function (n, w) { return ('000' + n).slice(-(w || 2)); };
        return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
    }

    /** The first 8 characters of a session id: enough to tell sessions apart in a list. */
    function shortId(id) { return String(id || '').slice(0, 8); }

    var state = {
        ui: null,
        endpoints: [],
        /** Sessions by endpoint id. */
        sessions: {},
        /** Per endpoint: the activity list's epoch and the newest seq shown. */
        seen: {},
        filter: { endpoint: '', session: '', method: '', errors: false },
        loaded: false
    };

    function endpointName(id) {
        var known = state.endpoints.filter(function (e) { return e.id === id; })[0];
        return known ? (known.name || known.id) : id;
    }

    /** The endpoints' URLs as this browser reaches them (the editor's origin and httpNodeRoot). */
    function urlsOf(endpoint) {
        var base = window.location.protocol + '//' + window.location.host;
        var out = [];
        if (endpoint.paths.streamable) { out.push({ transport: 'streamable-http', url: base + endpoint.paths.streamable }); }
        if (endpoint.paths.sse) { out.push({ transport: 'sse', url: base + endpoint.paths.sse }); }
        return out;
    }

    // ---- the tab's parts ---------------------------------------------------------------------

    function build() {
        var content = $('<div class="mcp-wb">');
        var header = $('<div class="red-ui-sidebar-header mcp-wb-header">').appendTo(content);
        var endpointSelect = $('<select class="mcp-wb-filter-endpoint">').appendTo(header);
        var sessionSelect = $('<select class="mcp-wb-filter-session">').appendTo(header);
        var method = $('<input type="text" class="mcp-wb-filter-method">').attr('placeholder', t('filter.method')).appendTo(header);
        var errors = $('<label class="mcp-wb-filter-errors"><input type="checkbox"> <span></span></label>').appendTo(header);
        errors.find('span').text(t('filter.errors'));
        var clear = $('<button type="button" class="red-ui-sidebar-header-button mcp-wb-clear"><i class="fa fa-trash"></i></button>').attr('title', t('activity.clear')).appendTo(header);
        var body = $('<div class="mcp-wb-body">').appendTo(content);
        var endpoints = $('<div class="mcp-wb-section mcp-wb-endpoints">').appendTo(body);
        $('<div class="mcp-wb-heading">').text(t('endpoints.heading')).prepend('<i class="fa fa-angle-down"></i> ').appendTo(endpoints);
        var endpointList = $('<div class="mcp-wb-endpoint-list">').appendTo(endpoints);
        var sessions = $('<div class="mcp-wb-section mcp-wb-sessions">').appendTo(body);
        var sessionsHeading = $('<span>').text(t('sessions.heading'));
        $('<div class="mcp-wb-heading">').append('<i class="fa fa-angle-down"></i> ', sessionsHeading).appendTo(sessions);
        var sessionList = $('<div class="mcp-wb-session-list">').appendTo(sessions);
        var tryIt = $('<div class="mcp-wb-section mcp-wb-try">').appendTo(body);
        $('<div class="mcp-wb-heading">').text(t('tryIt.heading')).prepend('<i class="fa fa-angle-down"></i> ').appendTo(tryIt);
        var tryRow = $('<div class="mcp-wb-try-pick">').appendTo(tryIt);
        var tryEndpoint = $('<select class="mcp-wb-try-endpoint">').appendTo(tryRow);
        var tryTool = $('<select class="mcp-wb-try-tool">').appendTo(tryRow);
        var tryRefresh = $('<button type="button" class="red-ui-button red-ui-button-small"><i class="fa fa-refresh"></i></button>').attr('title', t('tryIt.refresh')).appendTo(tryRow);
        var tryPanel = $('<div class="mcp-wb-try-panel">').appendTo(tryIt);
        var activity = $('<div class="mcp-wb-section mcp-wb-activity">').appendTo(body);
        $('<div class="mcp-wb-heading">').text(t('activity.heading')).prepend('<i class="fa fa-angle-down"></i> ').appendTo(activity);
        var activityList = $('<div class="mcp-wb-activity-list">').appendTo(activity);
        var empty = $('<div class="mcp-wb-empty">').text(t('activity.empty')).appendTo(activity);

        // A click on a heading folds its section away (the activity list then has the room).
        body.on('click', '.mcp-wb-heading', function () {
            $(this).parent().toggleClass('mcp-wb-folded');
        });
        endpointSelect.on('change', function () {
            state.filter.endpoint = endpointSelect.val();
            state.filter.session = '';
            renderSessions();
            applyFilter();
        });
        sessionSelect.on('change', function () {
            state.filter.session = sessionSelect.val();
            applyFilter();
        });
        method.on('input', function () {
            state.filter.method = method.val().trim();
            applyFilter();
        });
        errors.find('input').on('change', function () {
            state.filter.errors = $(this).prop('checked');
            applyFilter();
        });
        clear.on('click', function () {
            activityList.empty();
            empty.show();
        });
        tryEndpoint.on('change', loadTools);
        tryRefresh.on('click', loadTools);
        tryTool.on('change', showTool);
        return {
            content: content, endpointSelect: endpointSelect, sessionSelect: sessionSelect, endpointList: endpointList,
            sessionsHeading: sessionsHeading, sessionList: sessionList, activityList: activityList, empty: empty,
            tryEndpoint: tryEndpoint, tryTool: tryTool, tryPanel: tryPanel
        };
    }

    function renderEndpoints() {
        var ui = state.ui;
        var chosen = state.filter.endpoint;
        ui.endpointSelect.empty();
        $('<option value="">').text(t('filter.allEndpoints')).appendTo(ui.endpointSelect);
        state.endpoints.forEach(function (e) { $('<option>').val(e.id).text(e.name || e.id).appendTo(ui.endpointSelect); });
        if (chosen && !state.endpoints.some(function (e) { return e.id === chosen; })) { chosen = ''; }
        ui.endpointSelect.val(chosen);
        state.filter.endpoint = chosen;
        ui.endpointList.empty();
        if (state.endpoints.length === 0) { $('<div class="mcp-wb-empty">').text(t('endpoints.none')).appendTo(ui.endpointList); }
        var instances = [];
        state.endpoints.forEach(function (endpoint) {
            var row = $('<div class="mcp-wb-endpoint">').attr('data-endpoint', endpoint.id).appendTo(ui.endpointList);
            var title = $('<div class="mcp-wb-endpoint-title">').appendTo(row);
            $('<span class="mcp-wb-endpoint-name">').text(endpoint.name || endpoint.id).appendTo(title);
            $('<span class="mcp-wb-endpoint-counts">').text(t(endpoint.sessions === 1 ? 'endpoints.oneSession' : 'endpoints.counts', { sessions: endpoint.sessions })).appendTo(title);
            urlsOf(endpoint).forEach(function (u) {
                var line = $('<div class="mcp-wb-url">').appendTo(row);
                $('<span class="mcp-wb-url-transport">').text(TRANSPORT_NAMES[u.transport]).appendTo(line);
                $('<code>').text(u.url).appendTo(line);
                $('<button type="button" class="red-ui-button red-ui-button-small mcp-wb-copy"><i class="fa fa-clipboard"></i></button>')
                    .attr('title', t('endpoints.copy'))
                    .on('click', function () { RED.clipboard.copyText(u.url, $(this), NS + 'endpoints.copied'); })
                    .appendTo(line);
            });
            if (endpoint.instance && instances.indexOf(endpoint.instance) === -1) { instances.push(endpoint.instance); }
        });
        // Several instances: what the tab shows is this instance's.
        ui.sessionsHeading.text(instances.length > 0 ? t('sessions.headingInstance', { instance: instances.join(', ') }) : t('sessions.heading'));
    }

    // ---- Try it (resources/mcp-try-it.js): a tool of an endpoint, from the endpoint's own tools/list.

    var tools = [];

    /** Fills the Try it endpoint picker, keeping the one chosen. */
    function renderTryEndpoints() {
        var ui = state.ui;
        var chosen = ui.tryEndpoint.val() || state.filter.endpoint;
        ui.tryEndpoint.empty();
        state.endpoints.forEach(function (e) { $('<option>').val(e.id).text(e.name || e.id).appendTo(ui.tryEndpoint); });
        var known = state.endpoints.some(function (e) { return e.id === chosen; });
        ui.tryEndpoint.val(known ? chosen : state.endpoints.length > 0 ? state.endpoints[0].id : '');
        if (!known) { loadTools(); }
    }

    /** Reads the tools of the chosen endpoint, as a client would list them. */
    function loadTools() {
        var ui = state.ui;
        var endpointId = ui.tryEndpoint.val();
        var chosen = ui.tryTool.val();
        ui.tryTool.empty();
        ui.tryPanel.empty();
        tools = [];
        if (!endpointId) { return; }
        window.mcpSseTryIt.listOf(endpointId, 'tool').then(function (list) {
            tools = list;
            $('<option value="">').text(t(list.length === 0 ? 'tryIt.noTools' : 'tryIt.pickTool')).appendTo(ui.tryTool);
            list.forEach(function (tool) { $('<option>').val(tool.name).text(tool.title ? tool.name + ' (' + tool.title + ')' : tool.name).appendTo(ui.tryTool); });
            if (list.some(function (tool) { return tool.name === chosen; })) {
                ui.tryTool.val(chosen);
                showTool();
            }
        }, function () {
            $('<option value="">').text(t('tryIt.noTools')).appendTo(ui.tryTool);
        });
    }

    function showTool() {
        var ui = state.ui;
        var name = ui.tryTool.val();
        var tool = tools.filter(function (x) { return x.name === name; })[0];
        ui.tryPanel.empty();
        if (tool) { ui.tryPanel.append(window.mcpSseTryIt.panel({ endpoint: ui.tryEndpoint.val(), kind: 'tool', item: tool })); }
    }

    function renderSessions() {
        var ui = state.ui;
        var now = Date.now();
        var chosen = state.filter.session;
        ui.sessionList.empty();
        ui.sessionSelect.empty();
        $('<option value="">').text(t('filter.allSessions')).appendTo(ui.sessionSelect);
        var shown = 0;
        state.endpoints.forEach(function (endpoint) {
            if (state.filter.endpoint && state.filter.endpoint !== endpoint.id) { return; }
            (state.sessions[endpoint.id] || []).forEach(function (s) {
                shown++;
                var client = s.clientInfo && s.clientInfo.name ? s.clientInfo.name + (s.clientInfo.version ? ' ' + s.clientInfo.version : '') : t('sessions.unknownClient');
                $('<option>').val(s.id).text(client + ' (' + shortId(s.id) + ')').appendTo(ui.sessionSelect);
                var row = $('<div class="mcp-wb-session">').attr('data-session', s.id).appendTo(ui.sessionList);
                var main = $('<div class="mcp-wb-session-main">').appendTo(row);
                $('<span class="mcp-wb-session-client">').text(client).appendTo(main);
                $('<span class="mcp-wb-session-id">').text(shortId(s.id)).attr('title', s.id).appendTo(main);
                var facts = [TRANSPORT_NAMES[s.transport] || s.transport, s.protocolVersion || '?',
                    t('sessions.age', { age: age(now - s.openedAt) }), t('sessions.active', { age: age(now - s.lastActivityAt) }),
                    t('sessions.inFlight', { count: s.inFlight })];
                if (s.subject) { facts.push(s.subject); }
                if (state.endpoints.length > 1) { facts.unshift(endpointName(endpoint.id)); }
                $('<div class="mcp-wb-session-facts">').text(facts.join(' · ')).appendTo(row);
                $('<button type="button" class="red-ui-button red-ui-button-small mcp-wb-end"><i class="fa fa-times"></i></button>')
                    .attr('title', t('sessions.end'))
                    .on('click', function () {
                        api('DELETE', 'endpoints/' + encodeURIComponent(endpoint.id) + '/sessions/' + encodeURIComponent(s.id)).always(refreshSessions);
                    })
                    .appendTo(row);
            });
        });
        if (shown === 0) { $('<div class="mcp-wb-empty">').text(t('sessions.none')).appendTo(ui.sessionList); }
        if (chosen && ui.sessionSelect.find('option').filter(function () { return this.value === chosen; }).length === 0) {
            $('<option>').val(chosen).text(shortId(chosen) + ' ' + t('sessions.closed')).appendTo(ui.sessionSelect);
        }
        ui.sessionSelect.val(chosen);
    }

    /** The outcome text of an entry: "result · 3.2 ms", "error -32602 · 1.1 ms", or nothing for a notification. */
    function outcomeText(entry) {
        var parts = [];
        if (entry.outcome) { parts.push(t('outcome.' + entry.outcome) + (entry.code !== undefined ? ' ' + entry.code : '')); }
        if (entry.durationMs !== undefined) { parts.push(entry.durationMs + ' ms'); }
        if (entry.sessions !== undefined) { parts.push(t('activity.broadcast', { count: entry.sessions })); }
        return parts.join(' · ');
    }

    function isError(entry) {
        return entry.outcome === 'error' || entry.outcome === 'tool-error' || entry.outcome === 'timeout';
    }

    /** Where an entry belongs: its session, a 2026-07-28 exchange, the editor's Try it, or a running task (what its flow exchanged). */
    function placeOf(entry) {
        if (entry.source === 'editor') { return t('activity.editor'); }
        if (entry.era) { return entry.era; }
        if (entry.sessionId) { return t('activity.session', { id: shortId(entry.sessionId) }); }
        if (entry.taskId) { return t('activity.task', { id: shortId(entry.taskId) }); }
        return t('activity.everyone');
    }

    /** The badge of an entry about an MCP task: its status after the entry ("working", "completed", ...), titled with the task id. */
    function taskBadge(entry) {
        if (!entry.taskStatus) { return null; }
        return $('<span class="mcp-wb-task-badge">').attr({ 'data-status': entry.taskStatus, title: t('activity.taskTitle', { id: entry.taskId || '' }) })
            .text(t('taskStatus.' + entry.taskStatus));
    }

    function addEntry(endpointId, entry) {
        var ui = state.ui;
        ui.empty.hide();
        var row = $('<div class="red-ui-debug-msg mcp-wb-entry">')
            .toggleClass('red-ui-debug-msg-level-20', isError(entry))
            .attr({ 'data-endpoint': endpointId, 'data-session': entry.sessionId || '', 'data-method': entry.method, 'data-seq': entry.seq, 'data-outcome': entry.outcome || '', 'data-task': entry.taskId || '' })
            .data('entry', entry);
        var meta = $('<div class="red-ui-debug-msg-meta">').appendTo(row);
        $('<span class="red-ui-debug-msg-date">').text(timeOf(entry.at)).appendTo(meta);
        $('<span class="red-ui-debug-msg-name">').text(endpointName(endpointId) + ' · ' + placeOf(entry) + (entry.from === 'server' ? ' · ' + t('activity.fromServer') : '')).appendTo(meta);
        var topic = $('<span class="red-ui-debug-msg-topic mcp-wb-entry-topic">').appendTo(meta);
        $('<span class="mcp-wb-entry-method">').text(entry.method).appendTo(topic);
        if (entry.name) { $('<span class="mcp-wb-entry-name">').text(' ' + entry.name).appendTo(topic); }
        var badge = taskBadge(entry);
        if (badge) { badge.appendTo(topic); }
        var outcome = outcomeText(entry);
        if (outcome) {
            var line = $('<span class="red-ui-debug-msg-payload mcp-wb-entry-outcome">').text(outcome).appendTo(row);
            if (entry.message) { $('<span class="mcp-wb-entry-message">').text(': ' + entry.message).appendTo(line); }
        }
        row.on('click', function (event) {
            if ($(event.target).closest('.mcp-wb-entry-details').length > 0) { return; }
            toggleDetails(row, endpointId, entry);
        });
        row.toggle(visible(endpointId, entry));
        ui.activityList.prepend(row);
        var rows = ui.activityList.children();
        if (rows.length > MAX_ROWS) { rows.slice(MAX_ROWS).remove(); }
    }

    /** Shows (or hides again) what was recorded of an entry: its params and result. */
    function toggleDetails(row, endpointId, entry) {
        var open = row.children('.mcp-wb-entry-details');
        if (open.length > 0) {
            open.remove();
            return;
        }
        var details = $('<div class="mcp-wb-entry-details">').appendTo(row);
        api('GET', 'endpoints/' + encodeURIComponent(endpointId) + '/activity?since=' + (entry.seq - 1) + '&limit=1').then(function (answer) {
            var full = answer.entries && answer.entries[0] && answer.entries[0].seq === entry.seq ? answer.entries[0] : null;
            if (!full) {
                details.text(t('activity.gone'));
                return;
            }
            if (full.params === undefined && full.result === undefined) {
                details.text(t('activity.notRecorded'));
                return;
            }
            [['params', full.params], ['result', full.result]].forEach(function (pair) {
                if (pair[1] === undefined) { return; }
                var part = $('<div class="mcp-wb-entry-part">').appendTo(details);
                var cut = (full.truncated || []).indexOf(pair[0]) !== -1;
                $('<div class="mcp-wb-entry-part-label">').text(t('activity.' + pair[0]) + (cut ? ' ' + t('activity.truncated') : '')).appendTo(part);
                var value;
                try { value = JSON.parse(pair[1]); } catch (e) { value = pair[1]; }
                part.append(RED.utils.createObjectElement(value, { key: null, expand: function () {} }));
            });
        }, function () {
            details.text(t('activity.gone'));
        });
    }

    function visible(endpointId, entry) {
        var f = state.filter;
        if (f.endpoint && f.endpoint !== endpointId) { return false; }
        if (f.session && entry.sessionId !== f.session) { return false; }
        if (f.method && [entry.method, entry.name, entry.taskId].every(function (text) { return String(text || '').toLowerCase().indexOf(f.method.toLowerCase()) === -1; })) { return false; }
        if (f.errors && !isError(entry)) { return false; }
        return true;
    }

    function applyFilter() {
        state.ui.activityList.children('.mcp-wb-entry').each(function () {
            var row = $(this);
            row.toggle(visible(row.attr('data-endpoint'), row.data('entry')));
        });
    }

    // ---- data ------------------------------------------------------------------------------

    /** New entries of an endpoint's activity list (from the admin API or a comms batch), shown once each. */
    function takeEntries(endpointId, epoch, entries) {
        var seen = state.seen[endpointId];
        if (!seen || seen.epoch !== epoch) { seen = state.seen[endpointId] = { epoch: epoch, seq: 0 }; }
        entries.forEach(function (entry) {
            if (entry.seq <= seen.seq) { return; }
            seen.seq = entry.seq;
            addEntry(endpointId, entry);
        });
    }

    function refreshEndpoints() {
        return api('GET', 'endpoints').then(function (list) {
            state.endpoints = list;
            renderEndpoints();
            renderTryEndpoints();
            list.forEach(function (endpoint) {
                var seen = state.seen[endpoint.id];
                if (seen && seen.epoch === endpoint.activity.epoch) { return; }
                // An endpoint not read yet (or replaced by a deploy): its latest entries.
                var since = Math.max(0, endpoint.activity.seq - FIRST_ENTRIES);
                api('GET', 'endpoints/' + encodeURIComponent(endpoint.id) + '/activity?since=' + since).then(function (answer) {
                    takeEntries(endpoint.id, answer.epoch, answer.entries);
                });
            });
            return refreshSessions();
        });
    }

    function refreshSessions() {
        var reads = state.endpoints.map(function (endpoint) {
            return api('GET', 'endpoints/' + encodeURIComponent(endpoint.id) + '/sessions').then(function (list) {
                state.sessions[endpoint.id] = list;
            }, function () {
                delete state.sessions[endpoint.id];
            });
        });
        return $.when.apply($, reads).always(renderSessions);
    }

    var sessionsTimer = null;
    /** Reads the session lists again soon (several batches in a row cost one read). */
    function sessionsChanged() {
        if (sessionsTimer !== null) { return; }
        sessionsTimer = setTimeout(function () {
            sessionsTimer = null;
            // The endpoints' session counts too.
            refreshEndpoints();
        }, 100);
    }

    function shown() {
        return state.ui !== null && state.ui.content.is(':visible');
    }

    function init() {
        state.ui = build();
        RED.sidebar.addTab({
            id: TAB_ID,
            label: t('sidebar.label'),
            name: t('sidebar.name'),
            content: state.ui.content,
            enableOnEdit: true,
            iconClass: 'fa fa-plug',
            action: 'mcp-sse:show-workbench-tab',
            onchange: function () {
                state.loaded = true;
                refreshEndpoints();
            }
        });
        RED.actions.add('mcp-sse:show-workbench-tab', function () { RED.sidebar.show(TAB_ID); });
        RED.comms.subscribe('mcp-sse/activity/#', function (topic, batch) {
            if (!state.loaded) { return; }
            var known = state.endpoints.some(function (e) { return e.id === batch.endpoint; });
            if (!known) {
                refreshEndpoints();
                return;
            }
            if (batch.skipped > 0) {
                $('<div class="mcp-wb-skipped">').text(t('activity.skipped', { count: batch.skipped })).prependTo(state.ui.activityList);
            }
            takeEntries(batch.endpoint, batch.epoch, batch.entries);
            if (batch.sessionsChanged) { sessionsChanged(); }
        });
        // A deploy may add, change or remove endpoints.
        RED.comms.subscribe('notification/runtime-deploy', function () {
            if (state.loaded) {
                refreshEndpoints();
                loadTools();
            }
        });
        // Ages, last activity and counts, while the tab is shown.
        setInterval(function () {
            if (state.loaded && shown()) { refreshEndpoints(); }
        }, REFRESH_MS);
    }

    window.mcpSseWorkbench = { init: init, api: api, age: age };
})();
