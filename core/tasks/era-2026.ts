import type { TaskEraContext, TaskEraModule } from './era';
export function era2026(_context: TaskEraContext): TaskEraModule {
  return { versions: ['2026-07-28'], receive: () => false, addCapabilities: () => {} };
}
