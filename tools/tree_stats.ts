/**
 * Measures the library's shape, for issue notes and reviews: file sizes,
 * functions over 80 lines, and imports that point up the layer stack
 * (ip → dns → protocol → platform → wire → workers → broker → connect → cli).
 *
 * ```sh
 * npx --yes deno@2 run --allow-read tools/tree_stats.ts [--json]
 * ```
 *
 * @module
 */

import ts from "npm:typescript@5.6.3";

/** The layers, lowest first; a file may import its own layer or lower ones. */
const LAYERS = [
  "ip",
  "dns",
  "protocol",
  "platform",
  "wire",
  "workers",
  "broker",
  "connect",
  "fetch",
  "cli",
];
/** Folders that are not library code. */
const SKIP = new Set(["tests", "bench", "tools", ".git", ".ci", "node_modules"]);
const LONG = 80;

function layer(path: string): number {
  const top = path.includes("/") ? path.slice(0, path.indexOf("/")) : path;
  const i = LAYERS.indexOf(top);
  // mod.ts (the public API) sits below the CLI, which is its client.
  return i >= 0
    ? i
    : top === "cli.ts"
    ? LAYERS.length - 1
    : top === "mod.ts"
    ? LAYERS.length - 1.5
    : -1;
}

async function* sources(dir: string, prefix = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory && !SKIP.has(entry.name)) {
      yield* sources(`${dir}/${entry.name}`, `${path}/`);
    } else if (entry.isFile && path.endsWith(".ts")) yield path;
  }
}

interface LongFunction {
  readonly file: string;
  readonly name: string;
  readonly lines: number;
}

function longFunctions(file: string, text: string): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = (node as { name?: ts.Node }).name?.getText(source) ?? "(anonymous)";
      if (end - start + 1 > LONG) found.push({ file, name, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function imports(file: string, text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)[^"';]*?from\s+"(\.[^"]+)"/gm)) {
    const url = new URL(m[1], `file:///${file}`);
    found.push(url.pathname.slice(1));
  }
  return found;
}

const root = new URL("../", import.meta.url).pathname;
const files: { path: string; lines: number }[] = [];
const long: LongFunction[] = [];
const upward: string[] = [];
for await (const path of sources(root)) {
  const text = await Deno.readTextFile(root + path);
  files.push({ path, lines: text.split("\n").length - (text.endsWith("\n") ? 1 : 0) });
  long.push(...longFunctions(path, text));
  for (const target of imports(path, text)) {
    if (layer(target) > layer(path)) upward.push(`${path} → ${target}`);
  }
}
files.sort((a, b) => b.lines - a.lines);
const sizes = files.map((f) => f.lines).sort((a, b) => a - b);
const median = sizes.length % 2
  ? sizes[(sizes.length - 1) / 2]
  : (sizes[sizes.length / 2 - 1] + sizes[sizes.length / 2]) / 2;
long.sort((a, b) => b.lines - a.lines);
const report = {
  files: files.length,
  medianLines: median,
  largest: files.slice(0, 8).map((f) => `${f.path} ${f.lines}`),
  functionsOver80Lines: long.map((f) => `${f.file} ${f.name} ${f.lines}`),
  upwardImports: upward.sort(),
};
if (Deno.args.includes("--json")) console.log(JSON.stringify(report, null, 2));
else {
  console.log(`library files: ${report.files}, median ${report.medianLines} lines`);
  console.log(`largest:\n  ${report.largest.join("\n  ")}`);
  console.log(
    `functions over ${LONG} lines (${long.length}):\n  ${report.functionsOver80Lines.join("\n  ")}`,
  );
  console.log(`upward imports (${upward.length}):\n  ${upward.join("\n  ") || "none"}`);
}
