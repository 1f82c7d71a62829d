/**
 * Progress of a run's long phases, for a person at a terminal: one line on
 * stderr, rewritten in place, with a count, a rate and an estimate of the time
 * left. Never in the log file or the JSON report: phases take a
 * {@linkcode Progress} and a run without a terminal gets {@linkcode NO_PROGRESS}.
 *
 * @module
 */

/** One counted task of a phase (files read, skills embedded, …). */
export interface ProgressTask {
  /**
   * Counts work done.
   *
   * @param count How many more units are done.
   */
  advance(count: number): void;
  /** The task is over (finished or abandoned): its line goes. */
  end(): void;
}

/** Starts counted tasks. */
export interface Progress {
  /**
   * @param label What is counted, in the past tense (`files read`).
   * @param total How many units there are to do.
   * @returns The task, to advance.
   */
  start(label: string, total: number): ProgressTask;
}

/** Progress that shows nothing (no terminal, `--json`, tests). */
export const NO_PROGRESS: Progress = { start: () => ({ advance() {}, end() {} }) };

/** Where {@linkcode terminalProgress} writes, and its clock. */
export interface TerminalProgressOptions {
  /** The terminal's stream; stderr by default. */
  writer?: { writeSync(bytes: Uint8Array): number };
  /** Milliseconds, monotonic; `performance.now` by default. */
  now?: () => number;
  /** At least this many milliseconds between two redraws; 200 by default. */
  intervalMs?: number;
}

/**
 * Progress drawn on one terminal line.
 *
 * @example Counting files read
 * ```ts
 * import { terminalProgress } from "./progress.ts";
 *
 * const lines: string[] = [];
 * const decoder = new TextDecoder();
 * let time = 0;
 * const progress = terminalProgress({
 *   writer: { writeSync: (bytes) => (lines.push(decoder.decode(bytes)), bytes.length) },
 *   now: () => time,
 * });
 * const task = progress.start("files read", 1000);
 * time = 1000;
 * task.advance(250);
 * task.end();
 * if (!lines[0]!.includes("250 of 1,000 files read (250/s, about 3 s left)")) throw new Error(lines[0]);
 * ```
 *
 * @param options The stream, clock and redraw interval.
 * @returns The progress.
 */
export function terminalProgress(options: TerminalProgressOptions = {}): Progress {
  const writer = options.writer ?? Deno.stderr;
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? 200;
  const encoder = new TextEncoder();
  // Carriage return, then erase to the end of the line: the next draw replaces this one.
  const draw = (text: string) => writer.writeSync(encoder.encode(`\r\x1b[K${text}`));
  return {
    start(label, total) {
      const started = now();
      let done = 0;
      let drawnAt = Number.NEGATIVE_INFINITY;
      let drawn = false;
      return {
        advance(count) {
          done += count;
          const at = now();
          if (at - drawnAt < interval) return;
          drawnAt = at;
          drawn = true;
          draw(progressLine(label, done, total, (at - started) / 1000));
        },
        end() {
          if (drawn) draw("");
        },
      };
    },
  };
}

/**
 * The text of a progress line.
 *
 * @param label What is counted.
 * @param done Units done.
 * @param total Units in all.
 * @param seconds Seconds since the task started.
 * @returns E.g. `250 of 1,000 files read (250/s, about 3 s left)`.
 */
export function progressLine(label: string, done: number, total: number, seconds: number): string {
  const count = `${done.toLocaleString("en")} of ${total.toLocaleString("en")} ${label}`;
  if (seconds <= 0 || done === 0) return count;
  const rate = done / seconds;
  const left = Math.max(0, Math.ceil((total - done) / rate));
  return `${count} (${Math.round(rate).toLocaleString("en")}/s, about ${left} s left)`;
}
