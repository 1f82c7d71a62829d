# The heartbeat as one compiled executable on a small Debian image.
#
#   docker build -t clawstr-heartbeat .
#   docker run --rm -v "$PWD/my-skills:/repo" --env-file .env clawstr-heartbeat            # the loop
#   docker run --rm -v "$PWD/my-skills:/repo" --env-file .env clawstr-heartbeat --once     # one run
#
# The skills repository is mounted at /repo, the working directory: the
# binary's baked-in permissions grant read and write on "." only.

FROM denoland/deno:2.9.6 AS build
WORKDIR /src
COPY deno.json deno.lock main.ts ./
COPY src ./src
COPY models ./models
RUN deno install --frozen --entrypoint main.ts && deno task compile

FROM debian:bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/dist/clawstr-heartbeat /usr/local/bin/clawstr-heartbeat
WORKDIR /repo
VOLUME /repo
ENTRYPOINT ["clawstr-heartbeat"]
