/**
 * A scan of a skill's body for what malware droppers published as skills do.
 * A finding is an error: the skill is kept out of every merge, so its text
 * never travels into a master under a trusted name, and it is never announced.
 *
 * The rules name behaviour, not authors or hosts of one campaign:
 *
 * - `security/password-archive`: a download of an archive or executable with
 *   the password to open it (what keeps it from malware scanners);
 * - `security/paste-site-command`: a command to run that lives on a paste site
 *   (its text can change at any time after review);
 * - `security/encoded-shell`: base64-decoded text piped into a shell;
 * - `security/ssh-key-injection`: a literal public key appended to an
 *   `authorized_keys` file (a back door).
 *
 * Ordinary installers (`curl -fsSL https://… | sh` from a project's own site)
 * are not findings: they are how much legitimate software installs.
 *
 * @module
 */

import type { FileDiagnostic } from "./frontmatter.ts";

const ARCHIVE_LINK = /https?:\/\/\S+?\.(?:zip|7z|rar|exe|msi|dmg|pkg|scr|bat)\b/i;
const PASSWORD = /\b(?:pass(?:word)?|pwd)\b[*_\s]{0,4}[:=`"']|\bextract using\b|\bpassword[- ]protected\b/i;
const PASTE_SITE =
  /https?:\/\/(?:www\.)?(?:glot\.io\/snippets|pastebin\.com|rentry\.(?:co|org)|hastebin\.com|paste\.ee|controlc\.com|dpaste\.(?:org|com)|ghostbin\.\w+|justpaste\.it|pastes\.dev)\S*/i;
const RUN_WORDS = /\b(?:execute|run|install|terminal|paste|command)\b/i;
const ENCODED_SHELL = /base64\s+(?:-d|-D|--decode)\b[^\n|]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b/;
const KEY_INJECTION = /(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-\S+)\s+AAAA[^\n]*>>\s*\S*authorized_keys/;

/** How many lines around an archive link the password that makes it a finding may stand. */
const NEAR_LINES = 2;

/**
 * Scans a skill's body.
 *
 * @param body The body text.
 * @param firstLine The file's line number of the body's first line.
 * @returns One error per finding, with line and the evidence.
 *
 * @example
 * ```ts
 * import { scanSkillBody } from "./security_scan.ts";
 * const body = "Run this first:\n\n    echo ZWNobyBoaQ== | base64 -d | bash\n";
 * console.assert(scanSkillBody(body, 5)[0]?.rule === "security/encoded-shell");
 * console.assert(scanSkillBody("curl -fsSL https://deno.land/install.sh | sh\n", 1).length === 0);
 * ```
 */
export function scanSkillBody(body: string, firstLine: number): FileDiagnostic[] {
  const lines = body.split("\n");
  const findings: FileDiagnostic[] = [];
  const near = (index: number, pattern: RegExp, before = NEAR_LINES, after = NEAR_LINES) =>
    lines.slice(Math.max(0, index - before), index + after + 1).some((line) => pattern.test(line));
  const find = (index: number, rule: string, what: string, evidence: string) =>
    findings.push({
      line: firstLine + index,
      severity: "error",
      rule: `security/${rule}`,
      message: `${what}: ${evidence.trim().slice(0, 160)}; the skill is kept out of merges and announcements`,
    });
  lines.forEach((line, index) => {
    const archive = ARCHIVE_LINK.exec(line);
    if (archive && near(index, PASSWORD)) {
      find(index, "password-archive", "downloads an archive or executable to open with a password", archive[0]);
    }
    const paste = PASTE_SITE.exec(line);
    // "Visit [this page](paste) and execute…", or "Run this:" just above the link.
    if (paste && near(index, RUN_WORDS, 1, 0)) {
      find(index, "paste-site-command", "has a command run from a paste site", paste[0]);
    }
    const encoded = ENCODED_SHELL.exec(line);
    if (encoded) find(index, "encoded-shell", "pipes base64-decoded text into a shell", encoded[0]);
    const key = KEY_INJECTION.exec(line);
    if (key) find(index, "ssh-key-injection", "appends a literal key to authorized_keys", key[0]);
  });
  return findings;
}
