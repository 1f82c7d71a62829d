/**
 * The WebSocket nostr-tools talks to relays through: a relay is untrusted, so
 * every frame it sends is checked ({@linkcode parseRelayMessage}) before
 * nostr-tools sees it. A binary, oversized, malformed or unknown message is
 * dropped and logged, sanitised and rate-limited; a NOTICE is logged and never
 * handed on (nostr-tools would print it on stdout, where `--json` writes the
 * report). nostr-tools sees only well-formed messages, re-serialised.
 *
 * @module
 */

import { InvalidRelayMessageError, parseRelayMessage, type RelayMessage } from "./relay_message.ts";
import { RelayConnectionLog } from "./relay_log.ts";

/**
 * A WebSocket to a relay, with the members nostr-tools' `AbstractRelay` uses
 * (the handlers, `readyState`, `send`, `close` and the state constants), and
 * only those: nothing from the relay reaches nostr-tools but through
 * `onmessage`, vetted.
 *
 * @example
 * ```ts ignore
 * import { AbstractSimplePool } from "nostr-tools/pool";
 * import { verifyEvent } from "nostr-tools/pure";
 * import { RelaySocket } from "./relay_socket.ts";
 * const pool = new AbstractSimplePool({
 *   verifyEvent,
 *   websocketImplementation: RelaySocket as unknown as typeof WebSocket,
 *   maxWaitForConnection: 5000,
 * });
 * ```
 */
export class RelaySocket {
  /** The socket is connecting. */
  static readonly CONNECTING = 0;
  /** The socket is open. */
  static readonly OPEN = 1;
  /** The socket is closing. */
  static readonly CLOSING = 2;
  /** The socket is closed. */
  static readonly CLOSED = 3;

  /** Called once the connection is open. */
  onopen: ((event: Event) => void) | null = null;
  /** Called with each vetted message: its data is the message, re-serialised. */
  onmessage: ((event: MessageEvent<string>) => void) | null = null;
  /** Called when the connection fails. */
  onerror: ((event: Event) => void) | null = null;
  /** Called when the connection is closed. */
  onclose: ((event: Event) => void) | null = null;

  readonly #socket: WebSocket;
  readonly #log: RelayConnectionLog;

  /**
   * Opens a connection.
   *
   * @param url The relay's URL.
   * @throws {SyntaxError} When the URL is not a WebSocket URL (nostr-tools reports it as a connection failure).
   */
  constructor(url: string) {
    this.#socket = new WebSocket(url);
    // Binary frames arrive as bytes, whose size is known at once (a Blob's is not read at all).
    this.#socket.binaryType = "arraybuffer";
    this.#log = new RelayConnectionLog(url);
    // Events go on as plain ones: the relay's close reason or error text is nobody's business.
    this.#socket.onopen = () => this.onopen?.(new Event("open"));
    this.#socket.onerror = () => this.onerror?.(new Event("error"));
    this.#socket.onclose = () => {
      this.#log.ended("relay");
      this.onclose?.(new Event("close"));
    };
    this.#socket.onmessage = (event) => this.#receive(event.data);
  }

  /** @returns The connection's state, one of the constants above. */
  get readyState(): number {
    return this.#socket.readyState;
  }

  /**
   * Sends a message, when the connection is open; otherwise drops it.
   * nostr-tools sends without awaiting, so a throw here would be an
   * unhandled rejection.
   *
   * @param data The message.
   */
  send(data: string): void {
    if (this.#socket.readyState === RelaySocket.OPEN) this.#socket.send(data);
  }

  /** Closes the connection. */
  close(): void {
    // Logged now: the close event may come after the process has closed its logs.
    this.#log.ended("client");
    this.#socket.close();
  }

  #receive(data: unknown): void {
    let message: RelayMessage;
    try {
      message = parseRelayMessage(data);
    } catch (error) {
      if (!(error instanceof InvalidRelayMessageError)) throw error;
      this.#log.invalid(error.message, typeof data === "string" ? data : undefined);
      return;
    }
    if (message[0] === "NOTICE") return this.#log.notice(message[1]);
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(message) }));
  }
}
