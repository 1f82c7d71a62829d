import { join } from "node:path";
import { assertEquals, assertMatch } from "./assert.ts";
import { PROJECT_ROOT, tempDir, writeTree } from "./utils.ts";
import { heartbeatEnvironment } from "../tools/heartbeat_flags.ts";

const UNITS = join(PROJECT_ROOT, "deploy", "systemd");
const COMMAND = "/usr/local/bin/clawstr-heartbeat";

/** Whether `systemd-analyze` runs here (Debian's systemd package). */
async function hasSystemdAnalyze(): Promise<boolean> {
  try {
    return (await new Deno.Command("systemd-analyze", { args: ["--version"], stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

const analyze = await hasSystemdAnalyze();
// deno-lint-ignore no-console -- the skip must be visible in the test output
if (!analyze) console.warn("systemd tests skipped: systemd-analyze is not installed (apt install systemd)");

/**
 * Verifies units as the README installs them, with the program's path replaced by an executable that exists here
 * (verify checks it); every warning counts, not only the exit code.
 */
async function verify(files: Record<string, string>, units: string[]): Promise<string> {
  await using dir = await tempDir();
  const program = join(dir.path, "clawstr-heartbeat");
  await writeTree(dir.path, {
    ...Object.fromEntries(Object.entries(files).map(([path, text]) => [path, text.replaceAll(COMMAND, program)])),
    "clawstr-heartbeat": "#!/bin/sh\n",
  });
  await Deno.chmod(program, 0o755);
  const output = await new Deno.Command("systemd-analyze", {
    args: ["verify", ...units.map((unit) => join(dir.path, unit))],
    cwd: dir.path,
    env: { SYSTEMD_UNIT_PATH: `${dir.path}:`, SYSTEMD_LOG_COLOR: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
  return output.success ? text.trim() : `exit ${output.code}: ${text.trim()}`;
}

const read = (name: string) => Deno.readTextFileSync(join(UNITS, name));

Deno.test({
  name: "the service unit passes systemd-analyze verify without a warning, and is sandboxed to the repository",
  ignore: !analyze,
  fn: async () => {
    assertEquals(
      await verify({ "clawstr-heartbeat.service": read("clawstr-heartbeat.service") }, [
        "clawstr-heartbeat.service",
      ]),
      "",
    );
    const unit = read("clawstr-heartbeat.service");
    for (
      const line of [
        /^User=clawstr$/m,
        /^NoNewPrivileges=yes$/m,
        /^ProtectSystem=strict$/m,
        /^ReadWritePaths=\/srv\/skills$/m,
        /^WorkingDirectory=\/srv\/skills$/m,
        /^EnvironmentFile=\/etc\/clawstr-heartbeat\/env$/m,
        /^KillSignal=SIGTERM$/m,
      ]
    ) assertMatch(unit, line);
  },
});

Deno.test({
  name: "the timer variant (the service, its once.conf drop-in and the timer) passes systemd-analyze verify",
  ignore: !analyze,
  fn: async () => {
    const units = {
      "clawstr-heartbeat.service": read("clawstr-heartbeat.service"),
      "clawstr-heartbeat.service.d/once.conf": read("once.conf"),
      "clawstr-heartbeat.timer": read("clawstr-heartbeat.timer"),
    };
    assertEquals(await verify(units, ["clawstr-heartbeat.service", "clawstr-heartbeat.timer"]), "");
    assertMatch(read("once.conf"), /^ExecStart=\n^ExecStart=\/usr\/local\/bin\/clawstr-heartbeat --once$/m);
  },
});

Deno.test({
  name: "the verification fails on a unit or drop-in systemd would not run as written",
  ignore: !analyze,
  fn: async () => {
    const broken = read("clawstr-heartbeat.service").replace("ProtectSystem=strict", "ProtectSytem=strict");
    assertMatch(
      await verify({ "clawstr-heartbeat.service": broken }, ["clawstr-heartbeat.service"]),
      /Unknown key 'ProtectSytem'/,
    );
    // The drop-in is read where the README puts it: a mistake in it is seen too.
    const units = {
      "clawstr-heartbeat.service": read("clawstr-heartbeat.service"),
      "clawstr-heartbeat.service.d/once.conf": read("once.conf").replace("Restart=no", "Restrat=no"),
    };
    assertMatch(await verify(units, ["clawstr-heartbeat.service"]), /once\.conf:\d+: Unknown key 'Restrat'/);
  },
});

Deno.test("the service unit sets the variables the heartbeat task starts the program with", () => {
  const environment = Object.entries(heartbeatEnvironment(PROJECT_ROOT));
  assertEquals(environment.length > 0, true, "the heartbeat task sets variables");
  for (const [name, value] of environment) {
    assertMatch(read("clawstr-heartbeat.service"), new RegExp(`^Environment=${name}=${value}$`, "m"));
  }
});
