// Types of bench.mjs (plain JavaScript, the benchmark's launcher) for the TypeScript that imports it.

/** The smoke run's settings (environment variables of bench/run.ts). */
export const SMOKE: Record<string, string>;

/** The node binary for the bench: the machine's, or Node 22 with BENCH_NODE=22; throws on any other value. */
export function benchNode(): string;
