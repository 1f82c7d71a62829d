/**
 * The dashboard's files: plain HTML, CSS and JavaScript modules (Preact with
 * htm and uPlot vendored, see `dashboard/vendor/README.md`), served as they
 * are, with no build step. Only the files named here are served.
 *
 * @module
 */

/** Each file the dashboard has, by path below `dashboard/`, and its content type. */
export const DASHBOARD_FILES: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
  "app.mjs": "text/javascript; charset=utf-8",
  "vendor/htm-preact-standalone.mjs": "text/javascript; charset=utf-8",
  "vendor/uplot.mjs": "text/javascript; charset=utf-8",
  "vendor/uplot.css": "text/css; charset=utf-8",
};

/** The dashboard's directory (readable by the program: see tools/heartbeat_flags.ts). */
export const DASHBOARD_DIR: URL = new URL("./dashboard/", import.meta.url);

/**
 * A dashboard file's bytes.
 *
 * @param name A key of {@linkcode DASHBOARD_FILES}.
 * @returns Its bytes.
 */
export async function readDashboardFile(name: string): Promise<Uint8Array<ArrayBuffer>> {
  return await Deno.readFile(new URL(name, DASHBOARD_DIR));
}
