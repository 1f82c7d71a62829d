// The dashboard: Preact with htm, no build step. It reads the JSON API with the bearer token (taken once from the
// address's #token=… fragment, which never reaches the server, and kept for the tab) and follows the live events.
import { html, render, useCallback, useEffect, useRef, useState } from "./vendor/htm-preact-standalone.mjs";
import uPlot from "./vendor/uplot.mjs";

const fragment = new URLSearchParams(location.hash.slice(1)).get("token");
if (fragment) {
  sessionStorage.setItem("token", fragment);
  history.replaceState(null, "", location.pathname);
}
const token = () => sessionStorage.getItem("token") ?? "";

async function api(path, init = {}) {
  const response = await fetch(`/api${path}`, {
    ...init,
    headers: { ...(init.headers ?? {}), authorization: `Bearer ${token()}`, "content-type": "application/json" },
  });
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.error ?? response.statusText), { status: response.status });
  return body;
}

/** Follows the server-sent events with fetch (EventSource cannot send the token). */
function useEvents(onEvent) {
  useEffect(() => {
    const abort = new AbortController();
    (async () => {
      const response = await fetch("/api/events", {
        headers: { authorization: `Bearer ${token()}` },
        signal: abort.signal,
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split("\n").find((line) => line.startsWith("data: "));
          if (data) onEvent(JSON.parse(data.slice(6)));
        }
      }
    })().catch(() => {});
    return () => abort.abort();
  }, []);
}

function TokenForm({ onSet }) {
  const input = useRef();
  return html`
    <section>
      <h2>Token</h2>
      <p>The API needs the server's HEARTBEAT_TOKEN.</p>
      <form onSubmit=${(e) => {
        e.preventDefault();
        sessionStorage.setItem("token", input.current.value);
        onSet();
      }}>
          <input ref=${input} type="password" aria-label="token" /> <button>Use</button>
        </form>
    </section>
  `;
}

function TimingsChart({ runs }) {
  const target = useRef();
  useEffect(() => {
    const withTimings = runs.filter((run) => run.timings).reverse();
    if (!target.current || withTimings.length === 0) return;
    const phases = ["discovery", "clustering", "consolidation", "publishing", "launching", "broadcasting"];
    const data = [
      withTimings.map((_, i) => i),
      ...phases.map((phase) => withTimings.map((run) => run.timings[phase] ?? 0)),
    ];
    const colours = ["#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be123c"];
    const plot = new uPlot(
      {
        width: Math.min(900, target.current.clientWidth || 600),
        height: 220,
        title: "Milliseconds per phase, by run",
        scales: { x: { time: false } },
        series: [{ label: "run" }, ...phases.map((phase, i) => ({ label: phase, stroke: colours[i] }))],
      },
      data,
      target.current,
    );
    return () => plot.destroy();
  }, [runs]);
  return html`<div ref=${target} id="timings"></div>`;
}

function Diff({ text }) {
  if (!text) return null;
  return html`<pre class="diff">${
    text.split("\n").map((line) =>
      html`<span class=${line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : ""}>${`${line}\n`}</span>`
    )
  }</pre>`;
}

function Repository({ name }) {
  const [runs, setRuns] = useState([]);
  const [clusters, setClusters] = useState({ clusters: [], merged: [] });
  const [reviews, setReviews] = useState([]);
  const [quarantine, setQuarantine] = useState([]);
  const [status, setStatus] = useState({});
  const [progress, setProgress] = useState(null);
  const [message, setMessage] = useState("");
  const base = `/repositories/${encodeURIComponent(name)}`;
  const load = useCallback(async () => {
    const [r, c, v, q, s] = await Promise.all([
      api(`${base}/runs`),
      api(`${base}/clusters`),
      api(`${base}/reviews`),
      api(`${base}/quarantine`),
      api(`${base}/status`),
    ]);
    setRuns(r.runs);
    setClusters(c);
    setReviews(v.proposals);
    setQuarantine(q);
    setStatus(s);
  }, [name]);
  useEffect(() => {
    load().catch((e) => setMessage(e.message));
  }, [name]);
  useEvents((event) => {
    if (event.repository !== name) return;
    if (event.type === "run-started") setProgress({ text: `run ${event.runId} started (${event.trigger})` });
    if (event.type === "progress") setProgress({ text: `${event.label}: ${event.done} of ${event.total}` });
    if (event.type === "run-finished") {
      setProgress({ text: `run ${event.runId} finished: ${event.status}`, done: true, status: event.status });
      load();
    }
  });
  const runNow = async () => {
    try {
      await api(`${base}/runs`, { method: "POST" });
      setMessage("");
    } catch (e) {
      setMessage(e.message);
    }
  };
  const decide = async (id, decision) => {
    try {
      const answer = await api(`${base}/reviews/${id}`, { method: "POST", body: JSON.stringify({ decision }) });
      setMessage(`${answer.decision} ${id}: the next run honours it (${answer.file})`);
    } catch (e) {
      setMessage(e.message);
    }
  };
  return html`
    <section>
      <h2>Runs</h2>
      <button id="run-now" onClick=${runNow}>Run now</button>
      <span class="progress" id="progress">${progress?.text ?? ""}</span>
      <p class="muted" id="message">${message}</p>
      <${TimingsChart} runs=${runs} />
      <table>
        <thead>
          <tr>
            <th>run</th>
            <th>started</th>
            <th>status</th>
            <th>skills</th>
            <th>clusters</th>
          </tr>
        </thead>
        <tbody>
        ${runs.map((run) =>
          html`
            <tr>
              <td>${run.runId}</td>
              <td>${run.startedAt}</td>
              <td class=${run.status}>${run.status}${run.dryRun ? " (dry run)" : ""}</td>
              <td>${run.counts.found}</td>
              <td>${run.counts.clusters}</td>
            </tr>
          `
        )}
      </tbody>
      </table>
    </section>
    <section id="clusters">
      <h2>Clusters of the last run</h2>
      ${clusters.clusters.length === 0 ? html`<p class="muted">None.</p>` : null}
      ${clusters.clusters.map((cluster) =>
        html`
          <details class="cluster">
            <summary>${cluster.kind} (${cluster.action}, ${cluster.score}): ${cluster.members.join(", ")}</summary>
            <p>${cluster.reasons.join("; ")}</p>
            <${Diff} text=${clusters.merged.find((m) => cluster.members.includes(m.master))?.diff ?? cluster.preview} />
          </details>
        `
      )}
    </section>
    <section id="reviews">
      <h2>Waiting for review</h2>
      ${reviews.length === 0 ? html`<p class="muted">Nothing waits for review.</p>` : null}
      ${reviews.map((proposal) =>
        html`
          <div class="proposal">
            <p><b>${proposal.id}</b> ${proposal.members.length} skills, likely ${Math.round(
              (proposal.likelihood ?? 0) * 100,
            )}%: ${proposal.members.join(", ")} — ${proposal.reasons.join("; ")}</p>
            <button class="approve" onClick=${() => decide(proposal.id, "approve")}>Approve</button>
            <button class="reject" onClick=${() => decide(proposal.id, "reject")}>Reject</button>
            <${Diff} text=${proposal.preview} />
          </div>
        `
      )}
    </section>
    <section id="quarantine">
      <h2>Quarantined</h2>
      ${quarantine.length === 0 ? html`<p class="muted">Nothing is quarantined.</p>` : null}
      ${quarantine.map((entry) =>
        html`<div><b>${entry.path}</b> (${entry.rules.join(", ")})
        <ul>${entry.evidence.map((d) => html`<li>line ${d.line ?? "?"}: ${d.message}</li>`)}</ul></div>`
      )}
    </section>
    <section id="status">
      <h2>Git, relays, launch</h2>
      <table>
        <tbody>
          ${[["git", status.git], ["relays", status.relays], ["launch", status.launch]].map(([label, phase]) =>
            html`
              <tr>
                <th>${label}</th>
                <td class=${phase?.status}>${phase
                  ? `${phase.status}${phase.reason ? `: ${phase.reason}` : ""}`
                  : "no run yet"}</td>
              </tr>
            `
          )}
        </tbody>
      </table>
    </section>
  `;
}

function App() {
  const [repositories, setRepositories] = useState(null);
  const [selected, setSelected] = useState("");
  const [needToken, setNeedToken] = useState(false);
  const load = () =>
    api("/repositories").then((list) => {
      setRepositories(list);
      setNeedToken(false);
      setSelected((current) => current || list[0]?.name || "");
    }).catch((e) => {
      if (e.status === 401) setNeedToken(true);
    });
  useEffect(() => {
    load();
  }, []);
  if (needToken) return html`<${TokenForm} onSet=${load} />`;
  if (!repositories) return html`<p>Loading…</p>`;
  return html`
    <header>
      <h1>clawstr-heartbeat</h1>
      <select aria-label="repository" onChange=${(e) => setSelected(e.target.value)} value=${selected}>
        ${repositories.map((r) =>
          html`<option value=${r.name}>${r.name}${r.lastRun ? ` — ${r.lastRun.status}` : ""}</option>`
        )}
      </select>
    </header>
    ${selected ? html`<${Repository} key=${selected} name=${selected} />` : html`<p>No repository.</p>`}
  `;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
