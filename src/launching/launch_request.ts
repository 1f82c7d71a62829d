/**
 * The Clawnch launch request: the fields of a `!clawnch` post, validated
 * before anything is signed (a launch is irreversible, so a bad field must
 * never reach a relay), and the post's text in Clawnch's documented format.
 *
 * @module
 */

import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** The fields of a launch, as configured (unvalidated). */
export interface LaunchFields {
  /** The token's name (≤ 100 characters). */
  name?: string | undefined;
  /** The ticker (`TOKEN_TICKER`): upper-cased, ≤ 32 characters. */
  symbol?: string | undefined;
  /** The Base wallet that receives the fees: `0x` + 40 hex digits, EIP-55 checksummed when mixed case. */
  wallet?: string | undefined;
  /** What the token is for (≤ 1,000 characters). */
  description?: string | undefined;
  /** A direct https URL of the token's image. */
  image?: string | undefined;
  /** An https URL. */
  website?: string | undefined;
  /** An X/Twitter handle or URL. */
  twitter?: string | undefined;
}

/** A launch whose every field is valid. */
export interface LaunchRequest {
  name: string;
  symbol: string;
  wallet: string;
  description: string;
  image: string;
  website?: string;
  twitter?: string;
}

/** One field that is not valid, and why. */
export interface LaunchFieldProblem {
  /** The field's name in the post (`symbol`, `wallet`, …). */
  field: keyof LaunchFields;
  /** What is wrong, never echoing more of the value than needed. */
  message: string;
}

/** Raised when a launch's fields are not valid; names every bad field. */
export class LaunchFieldError extends Error {
  /** Every problem found. */
  readonly problems: readonly LaunchFieldProblem[];

  /**
   * @param problems The problems, one per bad field.
   */
  constructor(problems: readonly LaunchFieldProblem[]) {
    super(`The token launch is not valid: ${problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`);
    this.name = "LaunchFieldError";
    this.problems = problems;
  }
}

const IMAGE_EXTENSION = /\.(png|jpe?g|gif|webp|svg)$/i;

/**
 * Validates every field, and returns the launch or all the problems at once.
 *
 * @param fields The configured fields.
 * @returns The launch request.
 * @throws {LaunchFieldError} Naming each field that is missing or not valid.
 */
export function validateLaunch(fields: LaunchFields): LaunchRequest {
  const problems: LaunchFieldProblem[] = [];
  const required = (field: keyof LaunchFields, max: number): string => {
    const value = fields[field]?.trim() ?? "";
    if (value === "") problems.push({ field, message: "is required" });
    else if ([...value].length > max) problems.push({ field, message: `is longer than ${max} characters` });
    else if (/[\r\n]/.test(value)) problems.push({ field, message: "must be one line" });
    return value;
  };
  const name = required("name", 100);
  const symbol = required("symbol", 32).toUpperCase();
  if (symbol !== "" && !/^[A-Z0-9]+$/.test(symbol) && !problems.some((p) => p.field === "symbol")) {
    problems.push({ field: "symbol", message: "must be letters and digits only" });
  }
  const description = required("description", 1000);
  const wallet = fields.wallet?.trim() ?? "";
  const walletProblem = checkWallet(wallet);
  if (walletProblem) problems.push({ field: "wallet", message: walletProblem });
  const image = required("image", 2048);
  if (image !== "" && !isHttpsUrl(image, IMAGE_EXTENSION)) {
    problems.push({ field: "image", message: "must be a direct https URL of a .png, .jpg, .gif, .webp or .svg image" });
  }
  const website = fields.website?.trim();
  if (website && !isHttpsUrl(website)) problems.push({ field: "website", message: "must be an https URL" });
  const twitter = fields.twitter?.trim();
  if (twitter && !/^(@?[A-Za-z0-9_]{1,15}|https:\/\/(x|twitter)\.com\/[A-Za-z0-9_]{1,15})$/.test(twitter)) {
    problems.push({ field: "twitter", message: "must be a handle (@name) or an x.com / twitter.com URL" });
  }
  if (problems.length > 0) throw new LaunchFieldError(problems);
  return {
    name,
    symbol,
    wallet,
    description,
    image,
    ...(website ? { website } : {}),
    ...(twitter ? { twitter } : {}),
  };
}

/**
 * The text of the launch post: `!clawnch`, then one `key: value` per line.
 *
 * @param request A validated launch.
 * @returns The post's content.
 */
export function launchPostContent(request: LaunchRequest): string {
  const lines = [
    "!clawnch",
    `name: ${request.name}`,
    `symbol: ${request.symbol}`,
    `wallet: ${request.wallet}`,
    `description: ${request.description}`,
    `image: ${request.image}`,
  ];
  if (request.website) lines.push(`website: ${request.website}`);
  if (request.twitter) lines.push(`twitter: ${request.twitter}`);
  return lines.join("\n");
}

/**
 * The symbol a post launches, when it is a launch post: `!clawnch` on a line
 * of its own and a `symbol:` line. Used to find an earlier launch on the
 * relays, whoever wrote the post's text (spacing and case vary).
 *
 * @param content A post's text.
 * @returns The upper-cased symbol, or `undefined` when the post launches nothing.
 */
export function launchedSymbol(content: string): string | undefined {
  const lines = content.split(/\r?\n/).map((line) => line.trim());
  if (!lines.some((line) => line.toLowerCase() === "!clawnch")) return undefined;
  const symbol = lines.map((line) => /^symbol\s*:\s*(\S+)$/i.exec(line)?.[1]).find((found) => found !== undefined);
  return symbol?.toUpperCase();
}

/**
 * Why a wallet address is not valid, or `undefined` when it is: `0x` and 40
 * hex digits; all-lower or all-upper case carries no checksum, mixed case
 * must match EIP-55 (a typo in a mixed-case address is caught).
 */
function checkWallet(wallet: string): string | undefined {
  if (wallet === "") return "is required";
  if (!/^0x[0-9a-fA-F]{40}$/.test(wallet)) return "must be 0x and 40 hex digits";
  const digits = wallet.slice(2);
  if (digits === digits.toLowerCase() || digits === digits.toUpperCase()) return undefined;
  return checksumAddress(wallet) === wallet ? undefined : "fails its EIP-55 checksum (a mistyped character?)";
}

/**
 * The EIP-55 mixed-case form of an address.
 *
 * @param address `0x` and 40 hex digits, any case.
 * @returns The checksummed address.
 */
export function checksumAddress(address: string): string {
  const lower = address.slice(2).toLowerCase();
  const hash = bytesToHex(keccak_256(new TextEncoder().encode(lower)));
  return `0x${[...lower].map((char, i) => parseInt(hash[i]!, 16) >= 8 ? char.toUpperCase() : char).join("")}`;
}

function isHttpsUrl(text: string, path?: RegExp): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" && url.hostname.includes(".") && (!path || path.test(url.pathname));
  } catch {
    return false;
  }
}
