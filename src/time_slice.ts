/**
 * Long computations that still let the process answer: a run's heavy loops
 * (judging millions of pairs, indexing 60,000 skills) are synchronous, and
 * while one runs nothing else does — no signal handler, no HTTP request, no
 * timer. A loop that calls {@linkcode TimeSlice.pause} at each step gives the
 * event loop a turn once its slice is spent, and stops there once the run was
 * asked to stop.
 *
 * @module
 */

/** The run was asked to stop (SIGTERM, SIGINT, the server shutting down) while a phase worked. */
export class RunStoppedError extends Error {
  override name = "RunStoppedError";

  constructor() {
    super("the heartbeat was asked to stop");
  }
}

/** A slice's length when none is asked for: a signal waits a tenth of a second at most, for about 2% of the time. */
export const DEFAULT_SLICE_MS = 100;

/** How often a loop gives the event loop a turn, and what asks it to stop. */
export interface TimeSliceOptions {
  /** Aborts when the run must stop. */
  signal?: AbortSignal | undefined;
  /**
   * At most this many milliseconds of work between two turns; {@linkcode DEFAULT_SLICE_MS} by default. A turn costs
   * about 2 ms, and a server needs several turns to answer a request: shorter slices answer sooner and work slower.
   */
  sliceMs?: number | undefined;
}

/**
 * Cuts a long computation into slices.
 *
 * @example A loop over many items that a signal can stop
 * ```ts
 * import { RunStoppedError, TimeSlice } from "./time_slice.ts";
 *
 * const stop = new AbortController();
 * const slice = new TimeSlice({ signal: stop.signal, sliceMs: 0 });
 * let done = 0;
 * try {
 *   for (let i = 0; i < 1000; i++) {
 *     if (i === 10) stop.abort();
 *     await slice.pause();
 *     done++;
 *   }
 * } catch (error) {
 *   console.assert(error instanceof RunStoppedError && done === 10);
 * }
 * ```
 */
export class TimeSlice {
  readonly #signal: AbortSignal | undefined;
  readonly #sliceMs: number;
  #sliceStarted = performance.now();

  /** @param options The signal and the slice's length. */
  constructor(options: TimeSliceOptions = {}) {
    this.#signal = options.signal;
    this.#sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
  }

  /** What asks the run to stop, for the adapters that check it themselves between their own steps. */
  get signal(): AbortSignal | undefined {
    return this.#signal;
  }

  /**
   * Called between two steps of a long loop: nothing (`undefined`, at the cost of reading the clock) while the slice
   * lasts; once it is spent, a promise that gives the event loop a turn.
   *
   * @returns `undefined`, or a promise to await.
   * @throws {RunStoppedError} From the promise, when the run was asked to stop.
   */
  pause(): Promise<void> | undefined {
    if (performance.now() - this.#sliceStarted < this.#sliceMs) return undefined;
    return this.#turn();
  }

  /**
   * Runs a computation written as steps (a generator that yields between them), pausing between steps.
   *
   * @param steps The computation.
   * @returns What it returns.
   * @throws {RunStoppedError} When the run was asked to stop.
   */
  async run<T>(steps: Generator<void, T>): Promise<T> {
    for (let step = steps.next();; step = steps.next()) {
      if (step.done) return step.value;
      await this.pause();
    }
  }

  /**
   * Throws when the run was asked to stop (for loops whose steps wait anyway, on a relay or a process).
   *
   * @throws {RunStoppedError} When the run was asked to stop.
   */
  check(): void {
    if (this.#signal?.aborted) throw new RunStoppedError();
  }

  /**
   * Waits, for a retry or a relay's pace, but no longer than until the run is asked to stop.
   *
   * @param ms How long to wait.
   * @throws {RunStoppedError} When the run was asked to stop, before or during the wait.
   */
  async wait(ms: number): Promise<void> {
    this.check();
    const signal = this.#signal;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    });
    this.check();
  }

  async #turn(): Promise<void> {
    // A timer, not a microtask or a message: only a wait lets the event loop poll signals and sockets.
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.#sliceStarted = performance.now();
    this.check();
  }
}

/**
 * Runs a computation written as steps at once, for callers with nothing else to answer.
 *
 * @param steps The computation.
 * @returns What it returns.
 */
export function runAtOnce<T>(steps: Generator<void, T>): T {
  for (let step = steps.next();; step = steps.next()) if (step.done) return step.value;
}

/** Never pauses and never stops: for callers with nothing else to answer (tests, benchmarks, tools). */
export const UNSLICED: TimeSlice = new TimeSlice({ sliceMs: Number.POSITIVE_INFINITY });
