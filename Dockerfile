# The heartbeat as one compiled executable on a small Debian image, run by an unprivileged user.
#
#   docker build -t clawstr-heartbeat .
#   docker run -d --name heartbeat --env-file .env \
#     -v "$PWD/my-skills:/repo" -v heartbeat-state:/repo/.heartbeat clawstr-heartbeat     # the loop
#   docker run --rm --env-file .env -v "$PWD/my-skills:/repo" -v heartbeat-state:/repo/.heartbeat \
#     clawstr-heartbeat --once                                                             # one run
#   docker stop --time 120 heartbeat                                                       # a clean stop
#
# The skills repository is mounted at /repo, the working directory: the binary's baked-in permissions grant read and
# write on "." only. The state (run history, caches, outbox, launch records) is its own volume at /repo/.heartbeat,
# so it outlives the container and is never part of the repository's tree. The repository must be writable by
# uid 10001 (chown it, or run with --user "$(id -u):$(id -g)"). Checked by tools/lint_dockerfile.ts in CI.

FROM denoland/deno:2.9.6 AS build
WORKDIR /src
COPY deno.json deno.lock main.ts ./
COPY src ./src
COPY tools ./tools
COPY models ./models
RUN deno install --frozen --entrypoint main.ts && deno task compile

FROM debian:bookworm-slim
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="clawstr-heartbeat" \
  org.opencontainers.image.description="Keeps a library of AI-agent skills healthy: merges duplicates, commits, announces on Nostr" \
  org.opencontainers.image.source="https://github.com/clawstr/skill-orchestrator" \
  org.opencontainers.image.licenses="MIT" \
  org.opencontainers.image.version="${VERSION}"
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates openssh-client \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --system --uid 10001 --user-group --create-home --home-dir /home/heartbeat heartbeat \
  && git config --system --add safe.directory /repo \
  && mkdir -p /repo/.heartbeat \
  && chown -R heartbeat:heartbeat /repo
COPY --from=build /src/dist/clawstr-heartbeat /usr/local/bin/clawstr-heartbeat
# A self-extracting binary unpacks its files (the model, the model runtime's native library) beside itself on first
# run, into /usr/local/bin/.clawstr-heartbeat: done here, as root, so the unprivileged user only reads them.
RUN clawstr-heartbeat --version
# Two malloc arenas, not one per thread: what a run frees goes back to be reused, not kept per thread (as the heartbeat
# task sets it; BENCHMARKS.md, "Serving").
ENV NO_COLOR=1 MALLOC_ARENA_MAX=2
WORKDIR /repo
VOLUME ["/repo", "/repo/.heartbeat"]
USER heartbeat
# The health command runs every check (repository, model, relays, the last run) and exits 1 when one fails.
HEALTHCHECK --interval=10m --timeout=2m --start-period=2m --retries=3 CMD ["clawstr-heartbeat", "health"]
# The program is PID 1 in exec form, so SIGTERM reaches it: it finishes the current phase and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["clawstr-heartbeat"]
