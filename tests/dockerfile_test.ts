import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { lintDockerfile } from "../tools/lint_dockerfile.ts";
import { heartbeatEnvironment } from "../tools/heartbeat_flags.ts";
import { PROJECT_ROOT } from "./utils.ts";

const DOCKERFILE = Deno.readTextFileSync(join(PROJECT_ROOT, "Dockerfile"));
const { version } = JSON.parse(Deno.readTextFileSync(join(PROJECT_ROOT, "deno.json")));
const environment = heartbeatEnvironment(PROJECT_ROOT);

/** The rules a variant of the Dockerfile breaks. */
function rulesBroken(text: string): string[] {
  return [...new Set(lintDockerfile(text, { version, environment }).map((finding) => finding.rule))].sort();
}

Deno.test("the Dockerfile passes the lint: non-root, volumes, health check, exec form, labels, pinned bases, the task's variables", () => {
  assertEquals(lintDockerfile(DOCKERFILE, { version, environment }), []);
});

const VARIANTS: Array<[string, (text: string) => string, string[]]> = [
  ["run as root", (text) => text.replace("USER heartbeat\n", ""), ["non-root"]],
  [
    "a shell-form entry point",
    (text) => text.replace('ENTRYPOINT ["clawstr-heartbeat"]', "ENTRYPOINT clawstr-heartbeat"),
    [
      "exec-form",
    ],
  ],
  ["no health check", (text) => text.replace(/^HEALTHCHECK .*\n/m, ""), ["healthcheck"]],
  ["an unpinned base image", (text) => text.replace("FROM debian:bookworm-slim", "FROM debian"), ["pinned-base"]],
  ["no state volume", (text) => text.replace('VOLUME ["/repo", "/repo/.heartbeat"]', 'VOLUME ["/repo"]'), ["volumes"]],
  ["a version other than deno.json's", (text) => text.replace(`ARG VERSION=${version}`, "ARG VERSION=9.9.9"), [
    "labels",
  ]],
  ["another stop signal", (text) => text.replace("STOPSIGNAL SIGTERM", "STOPSIGNAL SIGKILL"), ["stop-signal"]],
  ["apt lists left in the image", (text) => text.replace("  && rm -rf /var/lib/apt/lists/* \\\n", ""), ["apt"]],
  ["the task's variables not set", (text) => text.replace(/ MALLOC_ARENA_MAX=\S+/, ""), ["environment"]],
  ["an instruction Docker rejects", (text) => `${text}EXPOSE http\n`, ["syntax"]],
];

for (const [what, change, rules] of VARIANTS) {
  Deno.test(`the Dockerfile lint fails on ${what}`, () => {
    const variant = change(DOCKERFILE);
    assertEquals(variant === DOCKERFILE, false, "the variant changes the Dockerfile");
    assertEquals(rulesBroken(variant), rules);
  });
}
