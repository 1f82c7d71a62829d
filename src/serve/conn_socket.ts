/**
 * A connection Deno accepted, as the stream `node:http` serves: the server
 * accepts its connections itself (see `http_server.ts`) and hands each to
 * `node:http` to parse. Every byte moved is reported, for the idle and
 * inactivity timeouts.
 *
 * @module
 */

import { Duplex } from "node:stream";

/** How much is written at once: a large answer reports progress as it goes, not only at its end. */
const WRITE_CHUNK_BYTES = 256 * 1024;

/**
 * How much is read at once: little at first, since an idle connection holds its buffer while it waits (a stranger
 * may hold hundreds), and more once reads fill it (a body). `node:http` starts every request it finds in one read
 * before the connection guard can close a connection pipelining too many: 1 KiB holds a few dozen of them, 4 KiB over
 * a hundred (500 connections pipelining: serve's memory 160 MiB higher for a moment, 250 for 200 connections at 4 KiB).
 */
const FIRST_READ_BYTES = 1024;
const MAX_READ_BYTES = 64 * 1024;

/** Small writes given together are sent as one: with Nagle's algorithm off, each write is a packet. */
const COALESCE_BYTES = 64 * 1024;

/**
 * A `Deno.Conn` as a `node:stream` `Duplex` with the members of `net.Socket` that `node:http` uses.
 *
 * @example
 * ```ts ignore
 * import { createServer } from "node:http";
 * import { ConnSocket } from "./conn_socket.ts";
 * const server = createServer((_request, response) => response.end("hello"));
 * for await (const conn of Deno.listen({ port: 8080 })) server.emit("connection", new ConnSocket(conn, () => {}));
 * ```
 */
export class ConnSocket extends Duplex {
  /** The client's address, as `net.Socket` has it. */
  readonly remoteAddress: string | undefined;
  /** The client's port. */
  readonly remotePort: number | undefined;
  /** Plain TCP: `node:http` and hono's adapter read it to tell `http` from `https`. */
  readonly encrypted = false;
  readonly #conn: Deno.Conn;
  readonly #onActivity: () => void;
  #readBytes = FIRST_READ_BYTES;

  /**
   * @param conn The accepted connection.
   * @param onActivity Called whenever bytes are read or written.
   */
  constructor(conn: Deno.Conn, onActivity: () => void) {
    super({ allowHalfOpen: true });
    this.#conn = conn;
    this.#onActivity = onActivity;
    const remote = conn.remoteAddr as Partial<Deno.NetAddr>;
    this.remoteAddress = remote.hostname;
    this.remotePort = remote.port;
    // Headers and a small body are written together below; Nagle's algorithm would hold the last packet back for the
    // client's delayed acknowledgement (40 ms on Linux).
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
  }

  override _read(): void {
    const buffer = new Uint8Array(this.#readBytes);
    this.#conn.read(buffer).then((read) => {
      if (read === null) return void this.push(null);
      this.#onActivity();
      if (read === buffer.length) this.#readBytes = Math.min(MAX_READ_BYTES, this.#readBytes * 4);
      this.push(buffer.subarray(0, read));
    }, (error) => this.destroy(error));
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#writeAll(chunk).then(() => callback(), callback);
  }

  override _writev(
    chunks: Array<{ chunk: Uint8Array }>,
    callback: (error?: Error | null) => void,
  ): void {
    (async () => {
      for (const chunk of coalesce(chunks.map((entry) => entry.chunk))) await this.#writeAll(chunk);
    })().then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#conn.closeWrite().then(() => callback(), () => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    try {
      this.#conn.close();
    } catch {
      // Closed already.
    }
    callback(error);
  }

  /** `net.Socket`'s timeout: the connection guard times connections out instead. */
  setTimeout(_ms: number, _callback?: () => void): this {
    return this;
  }

  /** `net.Socket`'s: set once, at construction. */
  setNoDelay(_noDelay?: boolean): this {
    return this;
  }

  /** `net.Socket`'s: idle connections are closed long before keep-alive probes would start. */
  setKeepAlive(_enable?: boolean, _initialDelay?: number): this {
    return this;
  }

  /** Closes the connection at once (what the connection guard calls). */
  close(): void {
    this.destroy();
  }

  /** `net.Socket`'s: ends the writing side, then closes once written. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once("finish", () => this.destroy());
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    for (let offset = 0; offset < bytes.length;) {
      offset += await this.#conn.write(bytes.subarray(offset, offset + WRITE_CHUNK_BYTES));
      this.#onActivity();
    }
  }
}

/** Runs of small chunks joined into one, large chunks as they are. */
function coalesce(chunks: readonly Uint8Array[]): Uint8Array[] {
  const joined: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  let runBytes = 0;
  const flush = () => {
    if (run.length === 1) joined.push(run[0]!);
    else if (run.length > 1) {
      const bytes = new Uint8Array(runBytes);
      let offset = 0;
      for (const chunk of run) bytes.set(chunk, (offset += chunk.length) - chunk.length);
      joined.push(bytes);
    }
    run = [];
    runBytes = 0;
  };
  for (const chunk of chunks) {
    if (runBytes + chunk.length > COALESCE_BYTES) flush();
    if (chunk.length > COALESCE_BYTES) joined.push(chunk);
    else {
      run.push(chunk);
      runBytes += chunk.length;
    }
  }
  flush();
  return joined;
}
