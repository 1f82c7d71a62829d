/**
 * What keeps `serve` answering whatever a stranger does with connections: a
 * cap on how many are open, and timeouts for those that send nothing useful.
 *
 * At the cap a new connection is not refused: the connection that has waited
 * longest without a request in progress is closed to make room, so a
 * stranger holding thousands of idle or header-trickling connections only
 * ever evicts their own, and the owner's next request gets in. Connections
 * that have been answered well (a status below 400) go last: the owner's
 * client keeps its connection for the next request, and closing it just as
 * that request is sent loses the request; a stranger's connections are never
 * answered, or answered 401 and 429, or (rate-limited) only a few. A connection
 * must send a request's complete headers within the header timeout of opening
 * or of its last answer (which is also how long an idle keep-alive connection
 * is kept); a request in progress that moves no byte either way for the
 * inactivity timeout (a body trickled, an answer the client stopped reading)
 * is closed too.
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
  /** Milliseconds, monotonic; `performance.now` by default. */
  now?: () => number;
}

/** What the guard knows of one connection. */
interface Tracked {
  /** Requests under way (HTTP/1.1 may pipeline several). */
  requests: number;
  /** Whether a request of it was answered with a status below 400. */
  served: boolean;
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
  /** Connections without a request in progress never answered well, longest idle first (a Map's order). */
  readonly #waiting = new Map<C, Tracked>();
  /** Connections without a request in progress that were answered well, longest idle first. */
  readonly #idle = new Map<C, Tracked>();
  /** Connections with a request in progress. */
  readonly #busy = new Map<C, Tracked>();

  /** @param options The cap and the timeouts. */
  constructor(options: ConnectionGuardOptions) {
    this.#options = { now: () => performance.now(), ...options };
  }

  /** How many connections are open. */
  get size(): number {
    return this.#waiting.size + this.#idle.size + this.#busy.size;
  }

  /**
   * Takes a new connection in. At the cap, the longest-idle connection is closed to make room; when every connection
   * has a request in progress, the new one is closed instead.
   *
   * @param connection The connection just accepted.
   * @returns Whether it was taken in (else it was closed).
   */
  admit(connection: C): boolean {
    if (this.size >= this.#options.maxConnections && !this.evictIdle()) {
      connection.close();
      return false;
    }
    const now = this.#options.now();
    this.#waiting.set(connection, { requests: 0, served: false, idleSince: now, activeAt: now });
    return true;
  }

  /**
   * Closes the connection that has gone longest without a request in progress, one never answered well first: to make
   * room at the cap, or when the process has run out of file descriptors.
   *
   * @returns Whether one was closed.
   */
  evictIdle(): boolean {
    const oldest = this.#waiting.keys().next();
    const victim = oldest.done ? this.#idle.keys().next() : oldest;
    if (victim.done) return false;
    this.#close(victim.value);
    return true;
  }

  /** A connection read or wrote bytes. */
  active(connection: C): void {
    const tracked = this.#tracked(connection);
    if (tracked) tracked.activeAt = this.#options.now();
  }

  /** A request's headers have arrived on the connection. */
  requestStarted(connection: C): void {
    const tracked = this.#tracked(connection);
    if (!tracked) return;
    tracked.requests++;
    this.#waiting.delete(connection);
    this.#idle.delete(connection);
    this.#busy.set(connection, tracked);
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
    (tracked.served ? this.#idle : this.#waiting).set(connection, tracked);
  }

  /** The connection has closed, by either side. */
  removed(connection: C): void {
    this.#waiting.delete(connection);
    this.#idle.delete(connection);
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
    for (const idle of [this.#waiting, this.#idle]) {
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
    for (const connection of [...this.#waiting.keys(), ...this.#idle.keys()]) this.#close(connection);
  }

  /** Closes every connection. */
  closeAll(): void {
    this.closeIdle();
    for (const connection of [...this.#busy.keys()]) this.#close(connection);
  }

  #tracked(connection: C): Tracked | undefined {
    return this.#waiting.get(connection) ?? this.#idle.get(connection) ?? this.#busy.get(connection);
  }

  #close(connection: C): void {
    this.removed(connection);
    connection.close();
  }
}
