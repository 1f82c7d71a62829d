/**
 * A real smart-HTTP git server for the tests: `git http-backend` (CGI) behind
 * `Deno.serve` on loopback, with HTTP Basic authentication by token, as a
 * hosted forge would ask for it.
 *
 * @module
 */

/** A running git server. */
export interface GitServer extends AsyncDisposable {
  /** The URL of a bare repository below the server's root (`name` is its directory, `skills.git`). */
  url(name: string): string;
  /** How many pushes the server received (pack uploads, accepted or not). */
  readonly pushes: number;
}

/** Options of {@linkcode startGitServer}. */
export interface GitServerOptions {
  /** The directory holding the bare repositories. */
  root: string;
  /** The password every request must carry (any user name); none: no authentication. */
  token?: string;
  /** Called when a push starts, before the remote's refs are advertised to it (to move the remote on, say). */
  beforePush?: (push: number) => Promise<void>;
}

/**
 * Starts the server.
 *
 * @param options Its root, token and push hook.
 * @returns The server; disposing it stops it.
 */
export function startGitServer(options: GitServerOptions): GitServer {
  let pushes = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    if (options.token !== undefined && !authorised(request, options.token)) {
      return new Response("authentication required\n", {
        status: 401,
        headers: { "WWW-Authenticate": 'Basic realm="git"' },
      });
    }
    const url = new URL(request.url);
    // A push starts by asking for the remote's refs: the hook runs before they are told, as if someone pushed first.
    if (url.searchParams.get("service") === "git-receive-pack") await options.beforePush?.(pushes + 1);
    if (request.method === "POST" && url.pathname.endsWith("/git-receive-pack")) pushes++;
    return await httpBackend(request, url, options.root);
  });
  const port = server.addr.port;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    get pushes() {
      return pushes;
    },
    [Symbol.asyncDispose]: async () => {
      await server.shutdown();
    },
  };
}

function authorised(request: Request, token: string): boolean {
  const header = request.headers.get("authorization") ?? "";
  if (!header.startsWith("Basic ")) return false;
  const [, password] = atob(header.slice(6)).split(/:(.*)/s);
  return password === token;
}

/** Runs `git http-backend` for one request and turns its CGI answer into a response. */
async function httpBackend(request: Request, url: URL, root: string): Promise<Response> {
  const child = new Deno.Command("git", {
    args: ["http-backend"],
    env: {
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      REQUEST_METHOD: request.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: request.headers.get("content-type") ?? "",
      HTTP_CONTENT_ENCODING: request.headers.get("content-encoding") ?? "",
      HTTP_GIT_PROTOCOL: request.headers.get("git-protocol") ?? "",
      // Set, so that http-backend accepts pushes.
      REMOTE_USER: "heartbeat",
      REMOTE_ADDR: "127.0.0.1",
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const body = request.body ? request.body.pipeTo(child.stdin) : child.stdin.close();
  const [output] = await Promise.all([child.output(), body]);
  const bytes = output.stdout;
  const text = new TextDecoder("latin1").decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  const end = text.search(/\r?\n\r?\n/);
  const headerText = text.slice(0, end);
  const bodyStart = end + (text.slice(end).startsWith("\r\n\r\n") ? 4 : 2);
  const headers = new Headers();
  let status = 200;
  for (const line of headerText.split(/\r?\n/)) {
    const [name, value] = line.split(/:\s*(.*)/s) as [string, string];
    if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
    else headers.set(name, value);
  }
  return new Response(bytes.subarray(bodyStart), { status, headers });
}
