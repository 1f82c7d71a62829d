/**
 * The text of a thrown value, for reports and diagnostics.
 *
 * @module
 */

/**
 * The message of something thrown, which need not be an `Error`.
 *
 * @param error What was thrown.
 * @returns Its message, or its text.
 *
 * @example
 * ```ts
 * import { errorMessage } from "./error_message.ts";
 * console.assert(errorMessage(new Error("gone")) === "gone");
 * console.assert(errorMessage("connection timed out") === "connection timed out");
 * ```
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
