/**
 * Assertions for the tests. std's `@std/assert` lives on JSR, which is out of
 * reach where this project is built, so the tests use Node's `assert` module
 * under the names std uses.
 *
 * @module
 */

import nodeAssert from "node:assert/strict";

/** Asserts that `actual` deeply equals `expected`. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Asserts that `actual` does not deeply equal `expected`. */
export function assertNotEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, message);
}

/** Asserts that a condition holds. */
export function assert(condition: unknown, message?: string): asserts condition {
  nodeAssert.ok(condition, message);
}

/** Asserts that `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, message?: string): void {
  nodeAssert.ok(text.includes(part), message ?? `Expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`);
}

/** Asserts that `text` matches `pattern`. */
export function assertMatch(text: string, pattern: RegExp, message?: string): void {
  nodeAssert.match(text, pattern, message);
}

/** Asserts that `text` does not match `pattern`. */
export function assertNotMatch(text: string, pattern: RegExp, message?: string): void {
  nodeAssert.doesNotMatch(text, pattern, message);
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
  throw new nodeAssert.AssertionError({ message: `Expected ${ErrorClass.name} to be thrown` });
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
  throw new nodeAssert.AssertionError({ message: `Expected ${ErrorClass.name} to be thrown` });
}

function checkError<E extends Error>(
  error: unknown,
  ErrorClass: new (...args: never[]) => E,
  includes: string | undefined,
): E {
  if (!(error instanceof ErrorClass)) {
    throw new nodeAssert.AssertionError({ message: `Expected ${ErrorClass.name}, got ${String(error)}` });
  }
  if (includes !== undefined && !error.message.includes(includes)) {
    throw new nodeAssert.AssertionError({
      message: `Expected the message ${JSON.stringify(error.message)} to include ${JSON.stringify(includes)}`,
    });
  }
  return error;
}
