/**
 * A Nostr key for tests. It guards nothing; tests use it to check that no
 * secret ever reaches output.
 *
 * @module
 */

import { nsecEncode } from "nostr-tools/nip19";
import { getPublicKey } from "nostr-tools/pure";
import { hexToBytes } from "nostr-tools/utils";

/** The test key, hex. */
export const TEST_KEY_HEX = "7f3b1c9e2d4a5b6c8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f";

/** The same key in bech32. */
export const TEST_NSEC: string = nsecEncode(hexToBytes(TEST_KEY_HEX));

/** The test key's public key, hex. */
export const TEST_PUBKEY: string = getPublicKey(hexToBytes(TEST_KEY_HEX));
