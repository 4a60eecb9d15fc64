/**
 * Node-RED's own i18n (@node-red/util) with this package's message catalogues
 * (nodes/locales/en-US/<node>.json), for tests that load the nodes through
 * node-red-node-test-helper: the helper's `RED._` returns message keys untranslated, where the real
 * runtime gives each node set its catalogue. Keys of this package start with the node's file name
 * (`mcp-sse-in.status.sessions`), which names the catalogue; other keys are returned as they are,
 * as the helper does.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { i18n } from '@node-red/util';
import { PACKAGE_ROOT } from './node-red';

const MODULE = 'node-red-contrib-mcp-sse';
const LOCALES = path.join(PACKAGE_ROOT, 'nodes', 'locales');
const sets = readdirSync(path.join(LOCALES, 'en-US')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));

let ready: Promise<void> | undefined;

/** Loads the catalogues once; resolves to the translate function, `RED._` as the runtime gives it to a node. */
export async function packageTranslator(): Promise<(key: string, substitutions?: Record<string, string | number>) => string> {
  ready ??= (async () => {
    await i18n.init({});
    for (const set of sets) await i18n.registerMessageCatalog(`${MODULE}/${set}`, LOCALES, `${set}.json`);
  })();
  await ready;
  return (key, substitutions) => {
    if (key.includes(':')) return i18n._(key, substitutions);
    const set = key.split('.')[0];
    return sets.includes(set) ? i18n._(`${MODULE}/${set}:${key}`, substitutions) : key;
  };
}
