// deno-lint-ignore-file no-console -- a command-line tool prints its findings
/**
 * Checks the Dockerfile: first the syntax and arguments of every instruction
 * (`dockerfile-utils`, the validator of the VS Code Docker extension), then the
 * rules that matter for this program, on the final stage of the parsed file
 * (`dockerfile-ast`). The image itself cannot be built where this project is
 * built (no Docker engine), so this is what CI can check.
 *
 * ```sh
 * deno run --allow-read tools/lint_dockerfile.ts Dockerfile
 * ```
 *
 * @module
 */

import { DockerfileParser, Env, type Instruction } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import { PROGRAM_NAME } from "../src/program_name.ts";
import { heartbeatEnvironment } from "./heartbeat_flags.ts";

/** One thing wrong, by line (1-based). */
export interface DockerfileFinding {
  line: number;
  rule: string;
  message: string;
}

/** Options of {@linkcode lintDockerfile}. */
export interface LintDockerfileOptions {
  /** The program's version (deno.json): the image's version label must default to it. */
  version: string;
  /** The variables the heartbeat task starts the program with: the image must set them too. */
  environment: Record<string, string>;
}

/**
 * The Dockerfile's findings: none when it is fit to ship.
 *
 * @param text The Dockerfile.
 * @param options The version the image must carry, the variables it must set.
 * @returns The findings, by line.
 *
 * @example
 * ```ts ignore
 * import { lintDockerfile } from "./lint_dockerfile.ts";
 * const findings = lintDockerfile('FROM debian:latest\nENTRYPOINT clawstr-heartbeat\n', { version: "0.1.0", environment: {} });
 * console.assert(findings.some((finding) => finding.rule === "non-root"));
 * ```
 */
export function lintDockerfile(text: string, options: LintDockerfileOptions): DockerfileFinding[] {
  const findings: DockerfileFinding[] = validate(text).map((diagnostic) => ({
    line: diagnostic.range.start.line + 1,
    rule: "syntax",
    message: typeof diagnostic.message === "string" ? diagnostic.message : diagnostic.message.value,
  }));
  const dockerfile = DockerfileParser.parse(text);
  const instructions = dockerfile.getInstructions();
  const froms = instructions.filter((instruction) => instruction.getKeyword() === "FROM");
  const finalStart = froms.at(-1)?.getRange().start.line ?? 0;
  const final = instructions.filter((instruction) => instruction.getRange().start.line >= finalStart);
  const find = (rule: string, message: string, at?: Instruction) =>
    findings.push({ line: (at?.getRange().start.line ?? 0) + 1, rule, message });
  const last = (keyword: string) => final.filter((instruction) => instruction.getKeyword() === keyword).at(-1);

  for (const from of froms) {
    const image = from.getArguments()[0]?.getValue() ?? "";
    if (!/:[\w.-]+$|@sha256:/.test(image) || image.endsWith(":latest")) {
      find("pinned-base", `base image "${image}" is not pinned to a version`, from);
    }
  }
  const user = last("USER");
  const userName = user?.getArguments()[0]?.getValue().split(":")[0];
  if (userName === undefined || userName === "root" || userName === "0") {
    find("non-root", "the final stage must switch to an unprivileged USER", user);
  }
  const entrypoint = last("ENTRYPOINT");
  if (!entrypoint || !entrypoint.getArgumentsContent()?.trim().startsWith("[")) {
    find("exec-form", "ENTRYPOINT must be in exec form (JSON) so that SIGTERM reaches the program", entrypoint);
  } else if (!entrypoint.getArgumentsContent()!.includes(`"${PROGRAM_NAME}"`)) {
    find("entrypoint", `ENTRYPOINT must run ${PROGRAM_NAME}`, entrypoint);
  }
  if (user && entrypoint && user.getRange().start.line > entrypoint.getRange().start.line) {
    find("non-root", "USER must come before ENTRYPOINT", user);
  }
  const stop = last("STOPSIGNAL");
  if (stop && stop.getArgumentsContent()?.trim() !== "SIGTERM") {
    find("stop-signal", "the program stops cleanly on SIGTERM; STOPSIGNAL must be SIGTERM", stop);
  }
  const health = last("HEALTHCHECK");
  if (!health || !/CMD\s+\[\s*"[^"]+"\s*,\s*"health"\s*\]/.test(health.getArgumentsContent() ?? "")) {
    find(
      "healthcheck",
      `HEALTHCHECK must run the health command in exec form: CMD ["${PROGRAM_NAME}", "health"]`,
      health,
    );
  }
  const volumes = final.filter((instruction) => instruction.getKeyword() === "VOLUME")
    .flatMap((volume) => volume.getArgumentsContent()?.match(/\/[\w./-]+/g) ?? []);
  for (const path of ["/repo", "/repo/.heartbeat"]) {
    if (!volumes.includes(path)) find("volumes", `VOLUME must declare ${path}`);
  }
  const labels = final.filter((instruction) => instruction.getKeyword() === "LABEL")
    .map((label) => label.getArgumentsContent() ?? "").join(" ");
  for (const key of ["title", "source", "licenses", "version"]) {
    if (!labels.includes(`org.opencontainers.image.${key}=`)) find("labels", `LABEL org.opencontainers.image.${key}`);
  }
  const version = final.find((instruction) =>
    instruction.getKeyword() === "ARG" &&
    instruction.getArgumentsContent()?.startsWith("VERSION=")
  );
  if (version?.getArgumentsContent()?.trim() !== `VERSION=${options.version}`) {
    find("labels", `ARG VERSION must default to the program's version, ${options.version}`, version);
  }
  const set = new Map(
    final.filter((instruction) => instruction instanceof Env)
      .flatMap((env) => env.getProperties().map((property) => [property.getName(), property.getValue()])),
  );
  for (const [name, value] of Object.entries(options.environment)) {
    if (set.get(name) !== value) find("environment", `ENV must set ${name}=${value}, as the heartbeat task does`);
  }
  for (const run of instructions.filter((instruction) => instruction.getKeyword() === "RUN")) {
    const command = run.getArgumentsContent() ?? "";
    if (command.includes("apt-get install") && !command.includes("--no-install-recommends")) {
      find("apt", "apt-get install without --no-install-recommends", run);
    }
    if (command.includes("apt-get install") && !command.includes("rm -rf /var/lib/apt/lists")) {
      find("apt", "apt-get install without removing /var/lib/apt/lists afterwards", run);
    }
  }
  if (!instructions.some((instruction) => /deno task compile\b/.test(instruction.getArgumentsContent() ?? ""))) {
    find("compile", "the build stage must build the executable with deno task compile");
  }
  return findings.sort((a, b) => a.line - b.line);
}

if (import.meta.main) {
  const path = Deno.args[0] ?? "Dockerfile";
  const { version } = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const project = new URL("..", import.meta.url).pathname;
  const findings = lintDockerfile(await Deno.readTextFile(path), {
    version,
    environment: heartbeatEnvironment(project),
  });
  for (const finding of findings) console.error(`${path}:${finding.line}: ${finding.rule}: ${finding.message}`);
  if (findings.length > 0) Deno.exit(1);
  console.log(`${path}: no finding`);
}
