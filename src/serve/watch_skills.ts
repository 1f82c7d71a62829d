/**
 * Runs a repository when its skills change: file-system events below the
 * skills directory, gathered until `quietMs` pass without one, become one
 * call. Events that come while the repository runs are its own writes (the
 * masters, the archive) and are dropped; an edit made during a run is picked
 * up by the next change or the next scheduled run.
 *
 * @module
 */

/** Options of {@linkcode watchSkills}. */
export interface WatchSkillsOptions {
  /** The directory to watch, recursively. */
  dir: string;
  /** Quiet time that ends a burst of changes, in ms. */
  quietMs: number;
  /** Whether the repository is running now (its own writes are not changes to act on). */
  busy: () => boolean;
  /** Called once per burst, with the paths that changed. */
  onChange: (paths: string[]) => void;
}

/**
 * Starts watching.
 *
 * @param options The directory, the quiet time, and what to call.
 * @returns Disposing it stops watching.
 */
export function watchSkills(options: WatchSkillsOptions): Disposable {
  const watcher = Deno.watchFs(options.dir, { recursive: true });
  const changed = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // After a run, its last writes' events may still be on their way: a quiet time's worth is dropped too.
  let busyUntil = 0;
  const flush = () => {
    timer = undefined;
    if (options.busy()) {
      changed.clear();
      busyUntil = Date.now() + options.quietMs;
      return;
    }
    const paths = [...changed].sort();
    changed.clear();
    if (paths.length > 0) options.onChange(paths);
  };
  (async () => {
    for await (const event of watcher) {
      if (event.kind === "access" || event.kind === "other") continue;
      if (options.busy()) {
        busyUntil = Date.now() + options.quietMs;
        continue;
      }
      if (Date.now() < busyUntil) continue;
      for (const path of event.paths) changed.add(path);
      clearTimeout(timer);
      timer = setTimeout(flush, options.quietMs);
    }
  })().catch(() => {});
  return {
    [Symbol.dispose]() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
