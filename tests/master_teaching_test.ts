/**
 * What a master must keep of every member, from the reasons a blind master audit of a public registry failed
 * masters for: a near copy's own variables and parameters, which of two versions is current, every member's
 * triggers in the description, honest notes on other implementations, and self-references renamed.
 *
 * @module
 */

import { parse, stringify } from "yaml";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { draftMaster } from "../src/consolidation/master_draft.ts";
import { drafted, members } from "./master_fixtures.ts";

/** The section of a master's body under an `## Alternative:` heading that names a folder. */
function sectionOf(body: string, folder: string): string {
  const section = body.split(/\n(?=## )/).find((part) => part.startsWith("## Alternative: ") && part.includes(folder));
  assert(section, `no section for ${folder} in:\n${body}`);
  return section;
}

/** A socket helper as a bot's authors wrote it: the bot's name is in its variables, paths and one parameter. */
function socketSkill(bot: string, author: string, extraParameter = "", extraAdvice = ""): string {
  const upper = bot.toUpperCase();
  return `---\nname: sockets\ndescription: Run interactive programs in tmux on a private socket.\nauthor: ${author}\n---\n` +
    `# Socket sessions\n\nUse a private tmux socket so that the sessions you start never collide with the user's own ` +
    `sessions, and so that you can list, watch and clean up only what you started yourself.\n\n` +
    `## Quickstart\n\n\`\`\`bash\nSOCKET_DIR="\${${upper}_SOCKET_DIR:-/tmp/${bot}-sockets}"\nmkdir -p "$SOCKET_DIR"\n` +
    `tmux -S "$SOCKET_DIR/${bot}.sock" new -d -s work -n shell\ntmux -S "$SOCKET_DIR/${bot}.sock" send-keys -t work ` +
    `-- 'python3 -q' Enter\ntmux -S "$SOCKET_DIR/${bot}.sock" capture-pane -p -J -t work -S -200\n\`\`\`\n\n` +
    `## Parameters\n\n- \`session\`: the name of the session to start, one per task you run at the same time.\n` +
    `- \`window\`: the window to open inside the session, named after what runs in it.\n` +
    `- \`lines\`: how many lines of history to capture when you read the pane back.\n` +
    `- \`timeout\`: how long to wait for a prompt before you give up and report the pane.\n` +
    `- \`pattern\`: the text that shows the program is ready for the next input.\n` +
    `- \`interval\`: how often to poll the pane while you wait for the pattern.\n${extraParameter}\n` +
    `## Watching output\n\nCapture the pane often, and read only the last lines: a long history hides the prompt ` +
    `you are waiting for, and scrolling back costs time on every poll.\n\n${extraAdvice}` +
    `## Cleanup\n\nKill every session you started on the private socket when the work is done, then remove the ` +
    `socket file, so that nothing is left running after you report back to the user.\n`;
}

Deno.test("a near copy's own variables, paths and parameters survive in the master, attributed to it", async () => {
  const files = {
    "skills/acme/sockets/SKILL.md": socketSkill(
      "acme",
      "ann",
      "",
      "When the pane shows an error, capture two hundred lines instead and quote only the failing ones.\n\n",
    ),
    "skills/beta/sockets/SKILL.md": socketSkill(
      "beta",
      "bob",
      "- `project_name`: the project the session belongs to, shown in its title.\n",
    ),
  };
  const draft = drafted(draftMaster(await members(files)));
  assertEquals(draft.body.match(/^## Alternative: /gm), null, "the copy is merged block by block");
  for (const taught of ["BETA_SOCKET_DIR", "/tmp/beta-sockets", "beta.sock", "project_name"]) {
    assertStringIncludes(draft.body, taught);
  }
  // Each of them is said once, under the member's path: not a second copy of the whole quickstart.
  const attribution = draft.body.split("\n").filter((line) => line.includes("skills/beta/sockets/SKILL.md"));
  assert(attribution.length >= 1, draft.body);
  assertEquals(draft.body.match(/BETA_SOCKET_DIR/g)?.length, 1, draft.body);
  assert(
    !draft.body.includes("`window`: the window to open inside the session, named after what runs in it.\n- `window`"),
  );
  // Runs are repeated: the same members give the same master, in whatever order they come.
  const again = drafted(draftMaster((await members(files)).reverse()));
  assertEquals([again.body, again.frontmatter], [draft.body, draft.frontmatter]);
});

/** A deploy guide whose two versions give opposite advice about the same step. */
function deployGuide(author: string, dated: string, advice: string, extra: string): string {
  return `---\nname: deploy-guide\ndescription: Deploy the web app to the cluster.\nauthor: ${author}\n${dated}---\n` +
    `# Deploy guide\n\n${advice}\n\n## Steps\n\n${extra}\n`;
}

Deno.test("two versions of one guide side by side: the master says which is current and marks the other as older", async () => {
  const newer = deployGuide(
    "ann",
    "updated: 2025-09-01\n",
    "Always run the migrations inside the release job, before the new pods start taking traffic.",
    "1. Build the image with `make image`.\n2. Push it with `make push`.\n3. Apply the release with `kubectl apply -k deploy/`.",
  );
  const older = deployGuide(
    "bob",
    "updated: 2024-02-10\n",
    "Never run the migrations in the release job: run them by hand from a laptop after the pods are up and healthy.",
    "1. Build the image with `docker build -t app .` on the laptop that will also run the migrations later.\n" +
      "2. Push it by hand with `docker push` to the registry the cluster reads.\n" +
      "3. Roll the deployment with `kubectl rollout restart deployment/app` and wait for every pod.\n" +
      "4. Run `./manage.py migrate` against the production database from the same laptop.",
  );
  const draft = drafted(draftMaster(
    await members({ "skills/ann/deploy-guide/SKILL.md": newer, "skills/bob/deploy-guide/SKILL.md": older }),
  ));
  // The richer text is the older one: the newer is still the base, and the older is marked as such.
  assertEquals(draft.base.path, "skills/ann/deploy-guide/SKILL.md");
  const section = sectionOf(draft.body, "skills/bob/deploy-guide");
  assertStringIncludes(section, "older version");
  assertStringIncludes(section, "2024-02-10");
  assertStringIncludes(section, "2025-09-01");
  assertStringIncludes(section, "Never run the migrations", "what the older version taught is still there");

  // Versions say it as well as dates; with neither, the master still says which text it follows.
  const versioned = drafted(draftMaster(
    await members({
      "skills/ann/deploy-guide/SKILL.md": newer.replace("updated: 2025-09-01", "version: 2.0.0"),
      "skills/bob/deploy-guide/SKILL.md": older.replace("updated: 2024-02-10", "version: 1.4.0"),
    }),
  ));
  assertStringIncludes(sectionOf(versioned.body, "skills/bob/deploy-guide"), "1.4.0");
  const undated = drafted(draftMaster(
    await members({
      "skills/ann/deploy-guide/SKILL.md": newer.replace("updated: 2025-09-01\n", ""),
      "skills/bob/deploy-guide/SKILL.md": older.replace("updated: 2024-02-10\n", ""),
    }),
  ));
  assertStringIncludes(sectionOf(undated.body, "skills/ann/deploy-guide"), "where the two differ");

  // A near copy's own variant from an older version is marked as such: the text above it is current.
  const dated = (text: string, date: string) => text.replace("\n---\n", `\nupdated: ${date}\n---\n`);
  const copies = drafted(draftMaster(
    await members({
      "skills/acme/sockets/SKILL.md": dated(
        socketSkill("acme", "ann", "", "Quote only the failing lines.\n\n"),
        "2025-09-01",
      ),
      "skills/beta/sockets/SKILL.md": dated(socketSkill("beta", "bob"), "2024-02-10"),
    }),
  ));
  assertStringIncludes(
    copies.body,
    "`skills/beta/sockets/SKILL.md` (by bob), an older version (dated 2024-02-10; the text above is current), has its own here:",
  );
});

Deno.test("the master's description keeps every member's triggers within 1,024 characters, and reads back as YAML", async () => {
  const long = (name: string, what: string, triggers: string) =>
    `---\nname: ${name}\ndescription: "${what} ${triggers}"\n---\n# ${name}\n\n${what}\n`;
  const draft = drafted(draftMaster(
    await members({
      "skills/a/quantum/SKILL.md": long(
        "quantum",
        "A toolkit for building, optimizing and executing quantum circuits with gates, measurements, noise models, " +
          "transpilation passes, hardware backends, simulators, visualisation and result analysis of every kind. " +
          "It covers the circuit library, the primitives, sessions and batches, error mitigation, pulse schedules, " +
          "dynamic circuits, classical feed-forward, parameter binding, observables and expectation values. " +
          "It also explains how results are stored, compared and plotted, how jobs are retried, and how costs are kept low. " +
          "Finally it walks through account setup, credentials, provider selection, queue limits and billing reports " +
          "for every provider, and the upgrade notes between major releases of the framework and its plugins.",
        "Use when working with quantum algorithms (VQE, QAOA, Grover), quantum chemistry, quantum machine " +
          "learning, or any quantum development task: circuits: gates #1.",
      ),
      "skills/b/quantum-dev/SKILL.md": long(
        "quantum-dev",
        "Quantum framework notes.",
        "Use when running on Rigetti hardware via qBraid, submitting directly to AWS Braket, generating noise models " +
          "for Heron processors, running experiment campaigns with async job retrieval, or integrating the QWARD " +
          "metrics library with the circuit executor for simulate and run workflows.",
      ),
    }),
  ));
  const description = draft.frontmatter.description as string;
  assert(description.length <= 1024, `${description.length} characters`);
  for (const trigger of ["VQE", "chemistry", "Rigetti", "qBraid", "Braket", "Heron", "campaigns", "QWARD"]) {
    assertStringIncludes(description, trigger);
  }
  assert(!/[\n\r\t]/.test(description), "one line");
  assertEquals((parse(stringify({ description })) as { description: string }).description, description);
});

Deno.test("an alternative section says its commands differ only when they do", async () => {
  const tmux = (title: string, text: string) =>
    `---\nname: ${title.toLowerCase().replaceAll(" ", "-")}\ndescription: Drive tmux.\n---\n# ${title}\n\n${text}\n`;
  const draft = drafted(draftMaster(
    await members({
      "skills/a/tmux-driver/SKILL.md": tmux(
        "Tmux driver",
        "Start a detached session and send keys to it:\n\n```bash\ntmux new -d -s work\ntmux send-keys -t work " +
          "'make test' Enter\ntmux capture-pane -p -t work\n```\n\nRead the pane until the prompt comes back, then " +
          "report what the command printed to the user, quoting the failing lines only.",
      ),
      "skills/b/tmux-notes/SKILL.md": tmux(
        "Tmux notes",
        "Keep one window per task.\n\n```sh\ntmux new-window -t work -n build\ntmux kill-session -t work\n```",
      ),
      "skills/c/screen-driver/SKILL.md": tmux(
        "Screen driver",
        "Use GNU screen instead.\n\n```bash\nscreen -dmS work\nscreen -S work -X stuff 'make test\\n'\n```",
      ),
    }),
  ));
  const same = sectionOf(draft.body, "skills/b/tmux-notes");
  assert(!same.includes("not those of the instructions above"), same);
  assertStringIncludes(same, "`tmux`");
  const other = sectionOf(draft.body, "skills/c/screen-driver");
  assertStringIncludes(other, "`screen`");
  assert(!other.split("\n\n").slice(0, 3).join("\n").includes("same tools"), other);
});

Deno.test("a member's references to its own old name point at the master, never at a CLI of that name", async () => {
  const draft = drafted(draftMaster(
    await members({
      "skills/a/notes/SKILL.md":
        "---\nname: notes-v2\ndescription: Keep notes. Load the notes-v2 skill at start-up.\n---\n# Notes\n\nAt the start of a session, run the " +
        "`notes-v2` skill and read `skills/notes-v2/templates/daily.md` before you write anything else today.\n\n" +
        "Write each note as one file per day, with the date as its name and a heading per topic, and link related " +
        "notes by their file names so that nothing is kept only in the conversation.\n",
      "skills/b/notes/SKILL.md":
        "---\nname: notes\ndescription: Keep notes.\n---\n# Notes\n\nAt the start of a session, run the " +
        "`notes` skill and read `skills/notes/templates/daily.md` before you write anything else today.\n\n" +
        "Write each note as one file per day, with the date as its name and a heading per topic, and link related " +
        "notes by their file names so that nothing is kept only in the conversation.\n",
      "skills/c/notes-helper/SKILL.md":
        "---\nname: notes-helper\ndescription: Keep notes with the notes-helper CLI.\n---\n# Notes helper\n\n" +
        'Invoke /notes-helper at start-up, or say "use the notes-helper skill", then @notes-helper picks the ' +
        "notebook.\n\nInstall the `notes-helper` CLI first and check it with `notes-helper --version`:\n\n```bash\n" +
        'npm install -g notes-helper\nnotes-helper add "Met the team"\n```\n',
    }),
  ));
  assertEquals(draft.name, "notes");
  assertStringIncludes(draft.frontmatter.description as string, "Load the notes skill at start-up.");
  assert(!/notes-v2/.test(draft.body.replace(/`skills\/a\/notes\/SKILL\.md`/g, "")), draft.body);
  assertStringIncludes(draft.body, "run the `notes` skill and read `skills/notes/templates/daily.md`");
  const helper = sectionOf(draft.body, "skills/c/notes-helper");
  assertStringIncludes(helper, "Invoke /notes at start-up");
  assertStringIncludes(helper, "use the notes skill");
  assertStringIncludes(helper, "@notes picks");
  // The CLI keeps its name.
  assertStringIncludes(helper, "`notes-helper --version`");
  assertStringIncludes(helper, "npm install -g notes-helper\nnotes-helper add");
  assertStringIncludes(helper, "Install the `notes-helper` CLI");
});
