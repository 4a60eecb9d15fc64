/**
 * What the `mcp-sse-view` node hands the editor: the runtime's patterns for a CSP origin and a
 * view's domain (core/features/apps.ts {@link VIEW_PATTERNS}), as its exported node setting
 * {@link VIEW_PATTERNS_SETTING}. resources/mcp-editor.js makes the dialog's checks from them, so
 * the dialog and a deploy refuse the same entries.
 */
import { VIEW_PATTERNS } from '../../core';

/** The name of the view node's exported setting (Node-RED wants it to start with the type, normalised: `mcpSseView`). */
export const VIEW_PATTERNS_SETTING = 'mcpSseViewPatterns';

/** The view node's `registerType` settings. */
export const VIEW_NODE_SETTINGS = { [VIEW_PATTERNS_SETTING]: { value: VIEW_PATTERNS, exportable: true } };
