/**
 * What keeps `serve` answering whatever a stranger does with connections: a
 * cap on how many are open, and timeouts for those that send nothing useful.
 *
 * At the cap a new connection is not refused: the connection that has waited
 * longest without a request in progress is closed to make room, so a
 * stranger holding thousands of idle or header-trickling connections only
 * ever evicts their own, and the owner's next request gets in. Connections
 * that have been answered well (a status below 400) go after those never
 * answered well, and the owner's (a request of it carried the token) last:
 * the owner's client keeps its connection for the next request, and closing
 * it just as that request is sent loses the request. When no connection is
 * idle, a stranger's request that has moved no byte for a second is closed
 * (the one stalled longest first): a stranger reading answers slowly, or not
 * at all, would otherwise hold every connection with a request "in progress";
 * the owner's requests in progress (the dashboard's event stream) are never
 * closed to make room. A connection must send a request's complete headers
 * within the header timeout of opening or of its last answer (which is also
 * how long an idle keep-alive connection is kept); a request in progress that
 * moves no byte either way for the inactivity timeout (a body trickled, an
 * answer the client stopped reading) is closed too. A connection with more
 * than a few requests in progress at once (pipelined: no browser does it) is
 * closed: each is a handler run at once, and 64 KiB of pipelined requests are
 * two thousand of them.
 *
 * @module
 */

/** A connection the guard can close. */
export interface GuardedConnection {
  /** Closes the connection at once; the server then calls {@linkcode ConnectionGuard.prototype.removed}. */
  close(): void;
}

/** Options of {@linkcode ConnectionGuard}. */
export interface ConnectionGuardOptions {
  /** The most connections open at once. */
  maxConnections: number;
  /** How long a connection may take to send a request's headers, from opening or from its last answer, in ms. */
  headerTimeoutMs: number;
  /** How long a request in progress may move no byte, in ms. */
  inactivityTimeoutMs: number;
  /** How many requests one connection may have in progress at once; {@linkcode MAX_REQUESTS_IN_PROGRESS} by default. */
  maxRequestsInProgress?: number;
  /** Milliseconds, monotonic; `performance.now` by default. */
  now?: () => number;
}

/**
 * How many requests one connection may have in progress at once: HTTP/1.1 lets a client send requests without waiting
 * for answers, and `node:http` starts a handler for each one it finds in what it read. No browser pipelines.
 */
export const MAX_REQUESTS_IN_PROGRESS = 16;

/** The cap never drops below this for want of descriptors: a browser opens six connections to a server at once. */
const FEWEST_CONNECTIONS = 16;

/** How long a stranger's request in progress must have moved no byte before it may be closed to make room. */
const STALLED_MS = 1000;

/** What the guard knows of one connection. */
interface Tracked {
  /** Requests under way (HTTP/1.1 may pipeline several). */
  requests: number;
  /** Whether a request of it was answered with a status below 400. */
  served: boolean;
  /** Whether a request of it carried the owner's credentials. */
  owner: boolean;
  /** When it last became free of requests (opened, or answered its last request). */
  idleSince: number;
  /** When it last read or wrote a byte. */
  activeAt: number;
}

/**
 * Tracks the open connections, picks which to evict at the cap and which have timed out.
 *
 * @example
 * ```ts
 * import { ConnectionGuard } from "./connection_guard.ts";
 * let time = 0;
 * const guard = new ConnectionGuard({ maxConnections: 1, headerTimeoutMs: 10, inactivityTimeoutMs: 60, now: () => time });
 * const closed: string[] = [];
 * const idle = { close: () => closed.push("idle") };
 * guard.admit(idle);
 * guard.admit({ close: () => closed.push("new") });
 * console.assert(closed.join() === "idle");
 * ```
 */
export class ConnectionGuard<C extends GuardedConnection = GuardedConnection> {
  readonly #options: Required<ConnectionGuardOptions>;
  /** The cap: the one given, lowered if the process runs out of descriptors. */
  #maxConnections: number;
  /** Connections without a request in progress never answered well, longest idle first (a Map's order). */
  readonly #waiting = new Map<C, Tracked>();
  /** Connections without a request in progress that were answered well, longest idle first. */
  readonly #idle = new Map<C, Tracked>();
  /** The owner's connections without a request in progress, longest idle first. */
  readonly #owners = new Map<C, Tracked>();
  /** Connections with a request in progress. */
  readonly #busy = new Map<C, Tracked>();

  /** @param options The cap and the timeouts. */
  constructor(options: ConnectionGuardOptions) {
    this.#options = { now: () => performance.now(), maxRequestsInProgress: MAX_REQUESTS_IN_PROGRESS, ...options };
    this.#maxConnections = options.maxConnections;
  }

  /** The cap on connections now. */
  get maxConnections(): number {
    return this.#maxConnections;
  }

  /** How many connections are open. */
  get size(): number {
    return this.#waiting.size + this.#idle.size + this.#owners.size + this.#busy.size;
  }

  /**
   * Takes a new connection in. At the cap, another is closed to make room (see {@linkcode ConnectionGuard.evict});
   * when every connection is the owner's or has a request moving, the new one is closed instead.
   *
   * @param connection The connection just accepted.
   * @returns Whether it was taken in (else it was closed).
   */
  admit(connection: C): boolean {
    if (this.size >= this.#maxConnections && !this.evict()) {
      connection.close();
      return false;
    }
    const now = this.#options.now();
    this.#waiting.set(connection, { requests: 0, served: false, owner: false, idleSince: now, activeAt: now });
    return true;
  }

  /**
   * Closes one connection to make room at the cap, or when the process has run out of file descriptors: the one idle
   * longest that was never answered well, else the one idle longest that was, else a stranger's request stalled
   * longest (no byte moved for a second), else the owner's connection idle longest.
   *
   * @returns Whether one was closed.
   */
  evict(): boolean {
    const victim = first(this.#waiting) ?? first(this.#idle) ?? this.#stalledStranger() ?? first(this.#owners);
    if (victim === undefined) return false;
    this.#close(victim);
    return true;
  }

  /**
   * The process has run out of file descriptors (an accept failed so): the cap becomes half the connections open, the
   * other half left to the heartbeat's own files and programs, and connections over it are closed as at the cap. The
   * limit on open files is rarely known beforehand: Deno lets only a process with every permission read
   * `/proc/self/limits`.
   *
   * @returns The cap from now on.
   */
  outOfDescriptors(): number {
    this.#maxConnections = Math.min(this.#maxConnections, Math.max(FEWEST_CONNECTIONS, Math.floor(this.size / 2)));
    while (this.size > this.#maxConnections && this.evict());
    return this.#maxConnections;
  }

  /** A connection read or wrote bytes. */
  active(connection: C): void {
    const tracked = this.#tracked(connection);
    if (tracked) tracked.activeAt = this.#options.now();
  }

  /**
   * A request's headers have arrived on the connection.
   *
   * @param connection The connection.
   * @param owner Whether the request carries the owner's credentials: the connection is then closed to make room only
   *   when idle, and after every stranger's.
   * @returns Whether the request may be answered: not when the connection is closed, or has been closed now for having
   *   more than {@linkcode MAX_REQUESTS_IN_PROGRESS} requests in progress.
   */
  requestStarted(connection: C, owner = false): boolean {
    const tracked = this.#tracked(connection);
    if (!tracked) return false;
    tracked.requests++;
    tracked.owner ||= owner;
    this.#waiting.delete(connection);
    this.#idle.delete(connection);
    this.#owners.delete(connection);
    this.#busy.set(connection, tracked);
    if (tracked.requests <= this.#options.maxRequestsInProgress) return true;
    this.#close(connection);
    return false;
  }

  /**
   * A request's answer has been sent (or the request was abandoned).
   *
   * @param connection The connection.
   * @param status The answer's status (0: none was sent whole).
   */
  requestFinished(connection: C, status: number): void {
    const tracked = this.#busy.get(connection);
    if (!tracked) return;
    tracked.served ||= status < 400;
    if (--tracked.requests > 0) return;
    this.#busy.delete(connection);
    tracked.idleSince = this.#options.now();
    (tracked.owner ? this.#owners : tracked.served ? this.#idle : this.#waiting).set(connection, tracked);
  }

  /** The connection has closed, by either side. */
  removed(connection: C): void {
    this.#waiting.delete(connection);
    this.#idle.delete(connection);
    this.#owners.delete(connection);
    this.#busy.delete(connection);
  }

  /**
   * Closes every connection past its timeout: call it every second or so.
   *
   * @returns How many were closed.
   */
  sweep(): number {
    const now = this.#options.now();
    const expired: C[] = [];
    for (const idle of [this.#waiting, this.#idle, this.#owners]) {
      for (const [connection, tracked] of idle) {
        // Longest idle first: the first one still in time ends the search.
        if (now - tracked.idleSince < this.#options.headerTimeoutMs) break;
        expired.push(connection);
      }
    }
    for (const [connection, tracked] of this.#busy) {
      if (now - tracked.activeAt >= this.#options.inactivityTimeoutMs) expired.push(connection);
    }
    for (const connection of expired) this.#close(connection);
    return expired.length;
  }

  /** Closes every connection without a request in progress (when the server stops). */
  closeIdle(): void {
    for (const idle of [this.#waiting, this.#idle, this.#owners]) {
      for (const connection of [...idle.keys()]) this.#close(connection);
    }
  }

  /** Closes every connection. */
  closeAll(): void {
    this.closeIdle();
    for (const connection of [...this.#busy.keys()]) this.#close(connection);
  }

  #tracked(connection: C): Tracked | undefined {
    return this.#waiting.get(connection) ?? this.#idle.get(connection) ?? this.#owners.get(connection) ??
      this.#busy.get(connection);
  }

  /** The stranger's connection whose request in progress has moved no byte for longest, if for a second at least. */
  #stalledStranger(): C | undefined {
    let stalled: C | undefined;
    let since = this.#options.now() - STALLED_MS;
    for (const [connection, tracked] of this.#busy) {
      if (tracked.owner || tracked.activeAt > since) continue;
      stalled = connection;
      since = tracked.activeAt;
    }
    return stalled;
  }

  #close(connection: C): void {
    this.removed(connection);
    connection.close();
  }
}

/** The first key of a map (the longest idle of the guard's), if any. */
function first<K>(map: ReadonlyMap<K, unknown>): K | undefined {
  const next = map.keys().next();
  return next.done ? undefined : next.value;
}
