/**
 * The parts of madge (plain JavaScript, no bundled types) that test/package/structure.test.ts uses:
 * the module graph of some folders, and its cycles.
 */
declare module 'madge' {
  namespace madge {
    /** A module graph, file paths relative to `baseDir`. */
    interface MadgeResult {
      /** Each file and the files it imports (type-only imports included). */
      obj(): Record<string, string[]>;
      /** Every import cycle, each as the files on it in order. */
      circular(): string[][];
      /** Files that could not be parsed. */
      skipped: string[];
    }

    interface MadgeConfig {
      /** The folder the paths in the result are relative to. */
      baseDir?: string;
      /** Extensions of the files to read, without the dot. */
      fileExtensions?: string[];
      /** The tsconfig.json whose settings resolve imports. */
      tsConfig?: string;
    }
  }

  function madge(paths: string | string[], config?: madge.MadgeConfig): Promise<madge.MadgeResult>;
  export = madge;
}
