/**
 * The source of time, passed to whatever needs it so tests can move time on.
 *
 * @module
 */

/** Tells the time. */
export interface Clock {
  /** @returns The current instant. */
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };
