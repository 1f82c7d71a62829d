/**
 * `serve`'s HTTP server: it accepts connections itself and has `node:http`
 * parse them, so that what a stranger can do with connections never stops
 * the process or locks the owner out.
 *
 * `Deno.serve` has neither a cap on connections nor a header timeout, and
 * dies on the first failed accept ("Too many open files"); `node:http`'s own
 * listener in Deno stops accepting for good on it, without a word. Here
 * connections are accepted with `Deno.listen`, whose failed accept is an
 * error to log and retry; each is handed to `node:http` (with hono's
 * `@hono/node-server` turning its requests into `fetch` ones), and a
 * {@linkcode ConnectionGuard} caps them and times them out.
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import type { Logger } from "@logtape/logtape";
import { ConnectionGuard } from "./connection_guard.ts";
import { ConnSocket } from "./conn_socket.ts";

/** How long a connection may take to send a request's complete headers (from opening, or its last answer). */
export const HEADER_TIMEOUT_MS = 10_000;

/** How long a request in progress may move no byte either way. */
export const INACTIVITY_TIMEOUT_MS = 60_000;

/** How often connections are checked for their timeouts. */
const SWEEP_INTERVAL_MS = 1000;

/** How long a failed accept waits before the next: the failure (out of descriptors) rarely clears at once. */
const ACCEPT_RETRY_MS = 50;

/** How an accept fails when the client is gone already: its connection's failure, not the listener's. */
const CLIENT_GONE = [Deno.errors.NotConnected, Deno.errors.ConnectionReset, Deno.errors.ConnectionAborted];

/** How an accept fails when the process (`EMFILE`) or the system (`ENFILE`) has no descriptor left. */
const OUT_OF_DESCRIPTORS: ReadonlySet<unknown> = new Set(["EMFILE", "ENFILE"]);

/** At most one log line per this long about failed accepts, with their count. */
const ACCEPT_LOG_INTERVAL_MS = 10_000;

/** How long requests in progress get to finish when the server stops. */
const SHUTDOWN_GRACE_MS = 2000;

/** What {@linkcode serveConnections} serves. */
export interface ServeConnectionsOptions {
  /** Answers a request; `remote` is the client's address. */
  fetch(request: Request, remote: string | undefined): Response | Promise<Response>;
  /**
   * Whether a request's `Authorization` header is the owner's: their connections are closed to make room only after
   * every stranger's, and never while a request of theirs is in progress. None: nobody is the owner.
   */
  isOwner?: (authorization: string | undefined) => boolean;
  /** The most connections open at once. */
  maxConnections: number;
  /** Stops the server: no more connections, requests in progress get a moment to finish. */
  signal: AbortSignal;
  /** Where failed accepts and requests go. */
  logger: Logger;
  /** The header timeout, in ms; {@linkcode HEADER_TIMEOUT_MS} by default. */
  headerTimeoutMs?: number;
  /** The inactivity timeout, in ms; {@linkcode INACTIVITY_TIMEOUT_MS} by default. */
  inactivityTimeoutMs?: number;
}

/**
 * Serves HTTP/1.1 on `listener` until `signal` aborts.
 *
 * @param listener A TCP listener (`Deno.listen`), bound already: binding first lets the caller refuse a bad address
 *   before anything else starts.
 * @param options What answers requests, the cap, and the signal.
 * @returns When the listener is closed and every connection with it.
 *
 * @example
 * ```ts ignore
 * import { getLogger } from "@logtape/logtape";
 * import { serveConnections } from "./http_server.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 8787 });
 * await serveConnections(listener, {
 *   fetch: () => new Response("hello"),
 *   maxConnections: 512,
 *   signal: AbortSignal.timeout(60_000),
 *   logger: getLogger(["example"]),
 * });
 * ```
 */
export async function serveConnections(listener: Deno.Listener, options: ServeConnectionsOptions): Promise<void> {
  const headerTimeoutMs = options.headerTimeoutMs ?? HEADER_TIMEOUT_MS;
  const guard = new ConnectionGuard<ConnSocket>({
    maxConnections: options.maxConnections,
    headerTimeoutMs,
    inactivityTimeoutMs: options.inactivityTimeoutMs ?? INACTIVITY_TIMEOUT_MS,
  });
  const answer = getRequestListener(
    (request, env) => options.fetch(request, env.incoming.socket?.remoteAddress),
    // hono's adapter would otherwise replace the global Request and Response of the whole process.
    { overrideGlobalObjects: false },
  );
  // node:http's own timeouts are off: the guard's apply to every connection, idle or not. The keep-alive timeout is
  // only what the answers announce (`Keep-Alive: timeout=10`): the guard closes an idle connection then.
  const server = createServer({ requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: headerTimeoutMs });
  // node:http keeps a connection alive after an answer only while the server "listens", which it would tell by a
  // listener of its own; this one's is the accept loop's.
  Object.defineProperty(server, "listening", { get: () => !options.signal.aborted });
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    // Every connection the server has is one the accept loop gave it.
    const socket = request.socket as unknown as ConnSocket;
    // node:http emits every request it parsed from one read, closed connection or not: one past the guard's limit,
    // or on a connection closed already, is never handed to the application.
    if (!guard.requestStarted(socket, options.isOwner?.(request.headers.authorization) ?? false)) return;
    // An answer cut short counts as no answer.
    response.once("close", () => guard.requestFinished(socket, response.writableFinished ? response.statusCode : 0));
    void answer(request, response);
  });
  const sweeper = setInterval(() => guard.sweep(), SWEEP_INTERVAL_MS);
  const accepting = acceptLoop(listener, { guard, server, logger: options.logger, signal: options.signal });

  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  listener.close();
  await accepting;
  guard.closeIdle();
  for (const deadline = performance.now() + SHUTDOWN_GRACE_MS; guard.size > 0 && performance.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  guard.closeAll();
  clearInterval(sweeper);
}

/** Accepts connections until the listener closes; a failed accept is logged and retried, never fatal. */
async function acceptLoop(
  listener: Deno.Listener,
  { guard, server, logger, signal }: {
    guard: ConnectionGuard<ConnSocket>;
    server: ReturnType<typeof createServer>;
    logger: Logger;
    signal: AbortSignal;
  },
): Promise<void> {
  let failed = 0;
  let loggedAt = -Infinity;
  for (;;) {
    let conn: Deno.Conn;
    try {
      conn = await listener.accept();
    } catch (error) {
      if (signal.aborted || error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) {
        return;
      }
      // A connection its client reset before it was accepted (Deno fails the accept when it cannot read the peer's
      // address): the listener is fine and no descriptor is short. Waiting here would let a stranger resetting twenty
      // connections a second hold up everyone's, and evicting would let them close anyone's.
      if (CLIENT_GONE.some((kind) => error instanceof kind)) continue;
      if (OUT_OF_DESCRIPTORS.has((error as { code?: unknown }).code)) {
        const [open, cap] = [guard.size, guard.maxConnections];
        if (guard.outOfDescriptors() < cap) {
          logger.warn(
            "Out of file descriptors with {open} connections open: at most {cap} from now on (raise the limit on open files: ulimit -n, or LimitNOFILE= in the systemd unit)",
            { open, cap: guard.maxConnections },
          );
        }
      }
      // Closing one more connection gives the next accept a descriptor.
      guard.evict();
      failed++;
      if (performance.now() - loggedAt >= ACCEPT_LOG_INTERVAL_MS) {
        logger.warn("Could not accept {count} connections ({open} open): {error}", {
          count: failed,
          open: guard.size,
          error,
        });
        loggedAt = performance.now();
        failed = 0;
      }
      await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
      continue;
    }
    const socket: ConnSocket = new ConnSocket(conn, () => guard.active(socket));
    if (!guard.admit(socket)) continue;
    socket.once("close", () => guard.removed(socket));
    server.emit("connection", socket);
  }
}
