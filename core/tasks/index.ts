/**
 * MCP tasks (long-running requests): the model and the stores. See task.ts.
 */
export { MemoryTaskStore } from './memory-store';
export { isTerminal, newTaskId, TaskLimitError, TERMINAL_STATUSES, type TaskEra, type TaskInputRequest, type TaskPage, type TaskPatch, type TaskRecord, type TaskStatus, type TaskStore } from './task';
