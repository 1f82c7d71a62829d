// deno-lint-ignore-file no-console -- a command-line check prints its findings
/**
 * Fails on any import cycle among the modules of a source directory (type-only
 * imports included: a cycle of types is still two modules that cannot be
 * understood, moved or reused one without the other).
 *
 * The graph comes from `deno info --json` over one generated module that
 * imports every `.ts` file of the directory, so modules no entry point reaches
 * (workers, tools) are checked too.
 *
 * Usage: deno run --allow-read --allow-write --allow-run tools/check_cycles.ts [DIR]   (DIR defaults to `src`)
 *
 * @module
 */

import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** A module's imports, by file path. */
export type ImportGraph = Map<string, string[]>;

/**
 * The import graph of every `.ts` file under `dir`, edges within `dir` only.
 *
 * @param dir The source directory.
 * @param config The deno.json whose import map resolves bare specifiers.
 * @returns Each module's imports inside `dir`, as absolute paths.
 */
export async function importGraph(dir: string, config: string): Promise<ImportGraph> {
  const root = resolve(dir);
  const files: string[] = [];
  const walk = (path: string) => {
    for (const entry of Deno.readDirSync(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) walk(child);
      else if (entry.name.endsWith(".ts")) files.push(child);
    }
  };
  walk(root);
  const entry = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      entry,
      files.map((file) => `import ${JSON.stringify(pathToFileURL(file).href)};\n`).join(""),
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", config, entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      modules: Array<
        { specifier: string; dependencies?: Array<{ code?: { specifier: string }; type?: { specifier: string } }> }
      >;
    };
    const inside = (specifier: string | undefined): string | undefined => {
      if (!specifier?.startsWith("file://")) return undefined;
      const path = decodeURIComponent(new URL(specifier).pathname);
      return path.startsWith(`${root}/`) ? path : undefined;
    };
    const graph: ImportGraph = new Map();
    for (const module of info.modules) {
      const from = inside(module.specifier);
      if (!from) continue;
      const targets = (module.dependencies ?? []).flatMap((dependency) =>
        [inside(dependency.code?.specifier), inside(dependency.type?.specifier)].filter((path) => path !== undefined)
      );
      graph.set(from, [...new Set(targets)].sort());
    }
    return graph;
  } finally {
    await Deno.remove(entry);
  }
}

/** Modules that import one another, directly or through each other. */
export interface ImportCycle {
  /** Every module of the tangle (a strongly connected component), sorted. */
  modules: string[];
  /** One cycle through its first module, to show: that module repeated at the end. */
  example: string[];
}

/**
 * The import cycles of a graph: its strongly connected components of more than one module (or a module importing
 * itself).
 *
 * @param graph Each module's imports.
 * @returns The cycles; none when the graph has none.
 *
 * @example
 * ```ts
 * import { importCycles } from "./check_cycles.ts";
 * const graph = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
 * const [cycle] = importCycles(graph);
 * console.assert(JSON.stringify(cycle?.example) === JSON.stringify(["a", "b", "c", "a"]));
 * ```
 */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): ImportCycle[] {
  // Tarjan's strongly connected components, iteratively over the sorted modules so the output is stable.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const connect = (start: string) => {
    const frames: Array<{ node: string; edge: number }> = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (frames.length > 0) {
      const frame = frames.at(-1)!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const target = edges[frame.edge++]!;
        if (!index.has(target)) {
          index.set(target, next);
          low.set(target, next++);
          stack.push(target);
          onStack.add(target);
          frames.push({ node: target, edge: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      frames.pop();
      const parent = frames.at(-1);
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component.sort());
      }
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return components
    .filter((component) => component.length > 1 || (graph.get(component[0]!) ?? []).includes(component[0]!))
    .map((component) => ({ modules: component, example: cycleThrough(component, graph) }))
    .sort((a, b) => (a.modules[0]! < b.modules[0]! ? -1 : 1));
}

/** A shortest cycle from a component's first module back to it, within the component (breadth first). */
function cycleThrough(component: readonly string[], graph: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const target of graph.get(queue[i]!) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let node = queue[i]!; node !== start; node = previous.get(node)!) path.splice(1, 0, node);
        return [...path, start];
      }
      if (!previous.has(target)) {
        previous.set(target, queue[i]!);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? "src";
  const project = new URL("..", import.meta.url).pathname;
  const graph = await importGraph(dir, join(project, "deno.json"));
  const cycles = importCycles(graph);
  const name = (path: string) => relative(Deno.cwd(), path);
  if (cycles.length === 0) {
    console.log(`No import cycle among the ${graph.size} modules of ${dir}/`);
  } else {
    for (const { modules, example } of cycles) {
      console.error(`Import cycle among ${modules.length} modules: ${modules.map(name).join(", ")}`);
      console.error(`  for example ${example.map(name).join(" → ")}`);
    }
    console.error(`${cycles.length} import cycle(s) among the modules of ${dir}/`);
    Deno.exit(1);
  }
}
