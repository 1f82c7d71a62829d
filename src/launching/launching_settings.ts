/**
 * What launching reads of the configuration: a leaf module, so that
 * configuration describes the launch without loading the phase.
 *
 * @module
 */

import type { LaunchRequest } from "./launch_request.ts";

/** The part of the configuration launching reads. */
export interface LaunchingSettings {
  /**
   * The Clawnch launch: the validated request, or why there is none (the
   * launch is opt-in: it needs `TOKEN_TICKER` and `TOKEN_WALLET`).
   */
  readonly launch: { readonly request: LaunchRequest } | { readonly off: string };
  /** Public keys (hex) the agent used before; their launches count as its own. */
  readonly previousKeys: readonly string[];
  /** Clawnch's public key (hex), when configured: only its replies are verified outcomes. */
  readonly clawnchPubkey?: string | undefined;
}
