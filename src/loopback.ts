/**
 * Whether a host name is this machine's loopback: where a test's relay may be
 * plain `ws://`, and what a server without a token answers to.
 *
 * @module
 */

/**
 * Whether `name` is `localhost`, `::1` (bracketed or not) or an address in 127.0.0.0/8.
 *
 * @param name A host name, as `URL.hostname` gives it or an `Address` header holds it without its port.
 * @returns `true` for loopback.
 *
 * @example
 * ```ts
 * import { isLoopback } from "./loopback.ts";
 * console.assert(isLoopback("127.0.0.1") && isLoopback("[::1]") && !isLoopback("relay.example"));
 * ```
 */
export function isLoopback(name: string): boolean {
  const bare = name.replace(/^\[(.*)\]$/, "$1");
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}
