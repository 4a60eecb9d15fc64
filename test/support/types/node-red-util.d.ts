/**
 * @node-red/util's `i18n.init`, which @types/node-red__util leaves out: it loads i18next with the
 * runtime's settings, before any message catalogue is registered.
 */
import '@node-red/util';

declare module '@node-red/util' {
  interface I18n {
    init(settings: object): Promise<void>;
  }
}
