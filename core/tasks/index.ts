/**
 * MCP tasks (long-running requests): the model and the stores (task.ts), the runner, the era
 * modules and an endpoint's tasks (endpoint-tasks.ts).
 */
export { MemoryTaskStore } from './memory-store';
export { InvalidCursorError, isTerminal, newTaskId, TaskLimitError, TERMINAL_STATUSES, type TaskEra, type TaskInputRequest, type TaskPage, type TaskPatch, type TaskRecord, type TaskStatus, type TaskStore } from './task';
export { DEFAULT_MAX_TASK_TTL_MS, DEFAULT_MAX_TASKS_PER_OWNER, DEFAULT_POLL_INTERVAL_MS, grantedTtl, memoryStoreFor, taskSettings, type TaskSettings } from './settings';
export { TaskRunner, type InlineAsk, type RunnerHost, type TaskSpec } from './runner';
export { TaskCall } from './task-call';
export { EndpointTasks, type TaskOptions } from './endpoint-tasks';
export type { TaskEraContext, TaskEraFactory, TaskEraModule } from './era';
