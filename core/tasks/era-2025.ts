/**
 * MCP tasks of 2025-11-25 (experimental, in the core spec: "Basic > Utilities > Tasks"):
 * `tasks/get`, `tasks/result`, `tasks/list`, `tasks/cancel`, `notifications/tasks/status`, the
 * `{ task: {...} }` CreateTaskResult and the `tasks` capability of `initialize`.
 *
 * Filled in by the 2025-11-25 work of issue 21; until then it takes nothing, so 2025-11-25
 * sessions see today's behaviour.
 *
 * Never imports Node-RED.
 */
import type { TaskEraContext, TaskEraModule } from './era';

/** The 2025-11-25 era module of one endpoint. */
export function era2025(_context: TaskEraContext): TaskEraModule {
  return {
    versions: ['2025-11-25'],
    receive: () => false,
    addCapabilities: () => {},
  };
}
