/**
 * The log levels a user may choose.
 *
 * @module
 */

/** The log levels a user may choose, quietest last. */
export const LOG_LEVELS = ["trace", "debug", "info", "warning", "error", "fatal"] as const;

/** A log level. */
export type LogLevelName = typeof LOG_LEVELS[number];
