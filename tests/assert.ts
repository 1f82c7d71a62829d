/**
 * Assertions for the tests. std's `@std/assert` lives on JSR, which is out of
 * reach where this project is built, so the tests use Node's deep equality
 * and `AssertionError` (whose report shows a diff) under the names std uses.
 *
 * @module
 */

import { AssertionError } from "node:assert";
import { inspect, isDeepStrictEqual } from "node:util";

function fail(message: string | undefined, details: { actual?: unknown; expected?: unknown; operator: string }): never {
  throw new AssertionError({ ...details, ...(message === undefined ? {} : { message }) });
}

/** Asserts that `actual` deeply equals `expected`. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  if (!isDeepStrictEqual(actual, expected)) fail(message, { actual, expected, operator: "deepStrictEqual" });
}

/** Asserts that `actual` does not deeply equal `expected`. */
export function assertNotEquals<T>(actual: T, expected: T, message?: string): void {
  if (isDeepStrictEqual(actual, expected)) fail(message, { actual, expected, operator: "notDeepStrictEqual" });
}

/** Asserts that a condition holds. */
export function assert(condition: unknown, message?: string): asserts condition {
  if (!condition) fail(message ?? `Expected a truthy value, got ${inspect(condition)}`, { operator: "ok" });
}

/** Asserts that `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, message?: string): void {
  if (!text.includes(part)) {
    fail(message ?? `Expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`, { operator: "includes" });
  }
}

/** Asserts that `text` matches `pattern`. */
export function assertMatch(text: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(text)) {
    fail(message ?? `Expected ${JSON.stringify(text)} to match ${pattern}`, { operator: "match" });
  }
}

/**
 * Asserts that `fn` throws an instance of `ErrorClass` whose message includes
 * `includes`.
 *
 * @returns The error.
 */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  ErrorClass: new (...args: never[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (error) {
    return checkError(error, ErrorClass, includes);
  }
  return fail(`Expected ${ErrorClass.name} to be thrown`, { operator: "throws" });
}

/**
 * Asserts that the promise rejects with an instance of `ErrorClass` whose
 * message includes `includes`.
 *
 * @returns The error.
 */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  ErrorClass: new (...args: never[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    return checkError(error, ErrorClass, includes);
  }
  return fail(`Expected ${ErrorClass.name} to be thrown`, { operator: "rejects" });
}

function checkError<E extends Error>(
  error: unknown,
  ErrorClass: new (...args: never[]) => E,
  includes: string | undefined,
): E {
  if (!(error instanceof ErrorClass)) fail(`Expected ${ErrorClass.name}, got ${String(error)}`, { operator: "throws" });
  if (includes !== undefined && !error.message.includes(includes)) {
    fail(`Expected the message ${JSON.stringify(error.message)} to include ${JSON.stringify(includes)}`, {
      operator: "throws",
    });
  }
  return error;
}
