/**
 * What one connection to a relay got wrong, logged through LogTape with the
 * relay's text sanitised, and rate-limited: a relay that floods a connection
 * with garbage or NOTICEs gets its first few logged one by one and the rest
 * counted, in one line when the connection ends.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { ROOT_CATEGORY } from "../logging.ts";
import { sanitiseRelayText } from "./relay_text.ts";

const logger = getLogger([ROOT_CATEGORY, "relays"]);

/** How many invalid messages, and how many NOTICEs, one connection gets logged one by one. */
export const LOGGED_PER_CONNECTION = 5;

/** The log of one connection to one relay. */
export class RelayConnectionLog {
  readonly #relay: string;
  #invalid = 0;
  #notices = 0;
  #ended = false;

  /**
   * @param relay The relay's URL.
   */
  constructor(relay: string) {
    this.#relay = relay;
  }

  /**
   * Logs a message the relay sent that was dropped (a warning: the relay breaks the protocol).
   *
   * @param problem What is wrong with it (carries none of the relay's text).
   * @param frame The frame's text, when it was a text frame: its start is logged, sanitised.
   */
  invalid(problem: string, frame?: string): void {
    if (++this.#invalid > LOGGED_PER_CONNECTION) return;
    logger.warn("Relay {relay} sent {problem}; the message is dropped", {
      relay: this.#relay,
      problem,
      ...(frame === undefined ? {} : { excerpt: sanitiseRelayText(frame) }),
    });
  }

  /**
   * Logs a NOTICE (at debug level: a relay's NOTICE is for its own operators' eyes, and never printed).
   *
   * @param text The NOTICE's text: logged sanitised.
   */
  notice(text: string): void {
    if (++this.#notices > LOGGED_PER_CONNECTION) return;
    logger.debug("NOTICE from relay {relay}: {notice}", { relay: this.#relay, notice: sanitiseRelayText(text) });
  }

  /**
   * Logs, once, how the connection ended and what was not logged one by one.
   *
   * @param closedBy Who closed it: the relay (or the network), or this client.
   */
  ended(closedBy: "relay" | "client"): void {
    if (this.#ended) return;
    this.#ended = true;
    if (closedBy === "relay") logger.debug("Relay {relay} closed the connection", { relay: this.#relay });
    const unlogged = (count: number) => Math.max(0, count - LOGGED_PER_CONNECTION);
    if (unlogged(this.#invalid) > 0) {
      logger.warn("Relay {relay} sent {count} more invalid messages on one connection, dropped and not logged", {
        relay: this.#relay,
        count: unlogged(this.#invalid),
      });
    }
    if (unlogged(this.#notices) > 0) {
      logger.debug("Relay {relay} sent {count} more NOTICEs on one connection, not logged", {
        relay: this.#relay,
        count: unlogged(this.#notices),
      });
    }
  }
}
