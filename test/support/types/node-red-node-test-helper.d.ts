/**
 * The parts of node-red-node-test-helper (plain JavaScript, no bundled types) that the tests use,
 * typed against @types/node-red.
 */
declare module 'node-red-node-test-helper' {
  import type { Node } from 'node-red';

  /**
   * A node of a loaded flow: the helper spies on its methods and emits `call:<method>` with the
   * sinon spy call (`args`: the call's arguments) after each call, e.g. `call:status`, `call:warn`.
   */
  type TestNode = Node & {
    on<Args extends unknown[]>(event: `call:${string}`, listener: (call: { args: Args }) => void): TestNode;
  };

  /** A node module as Node-RED loads it: a function given `RED`. */
  type NodeModule = (RED: never) => void;

  interface NodeTestHelper {
    /** Points the helper at the node-red runtime (the path of its package's main file). */
    init(nodeRedRuntime: string, userSettings?: object): void;
    /** Starts a runtime with `nodes` registered and `flow` deployed; `credentials` by node id. */
    load(nodes: NodeModule | NodeModule[], flow: object[], credentials?: object): Promise<void>;
    /** Stops the flow and the runtime started by `load`. */
    unload(): Promise<void>;
    /** A node of the loaded flow, by id. */
    getNode(id: string): TestNode;
    /** Settings for the next `load` (e.g. `httpNodeRoot`). */
    settings(userSettings: object): void;
    /** Deploys `flow` on the running runtime, as the editor would with `type` ('full', 'nodes', 'flows'). */
    setFlows(flow: object[], type?: 'full' | 'nodes' | 'flows', credentials?: object): Promise<void>;
    /** The sinon spy on the runtime's log: `args` holds one `[logMessage]` per call. */
    log(): { args: Array<[{ level?: number; id?: string; msg?: unknown }]> };
  }

  const helper: NodeTestHelper;
  export = helper;
}
