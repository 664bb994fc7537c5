// Static checks of the PowerShell sources, runnable without pwsh (node + web-tree-sitter + tree-sitter-powershell):
//  - every .ps1 / .psm1 / .psd1 of the module, the build script, the Pester suite and the examples parses;
//  - every module/Public/<Area>/<Verb-Noun>.ps1 defines exactly one function, named as the file, whose comment-based
//    help has .SYNOPSIS, .DESCRIPTION, .EXAMPLE and a .PARAMETER for each parameter;
//  - FunctionsToExport of Kestrun.Rust.psd1 lists exactly the Public functions, without wildcards;
//  - CmdletsToExport lists exactly the compiled cmdlets (the [Cmdlet(...)] classes of module/Cmdlets/**/*.cs), each
//    with its help file module/Cmdlets/Help/<Verb-Noun>.psd1 (Synopsis, Description, Examples); no name is in both.
// The grammar is stricter than PowerShell in a few spots (e.g. an empty `{ }` script block or a bare `Get, Post`
// argument list); the sources are written so that it accepts them. It also lacks PowerShell 7's null-coalescing
// operators, which Kestrun's tutorials use (`[int]$Port = $env:PORT ?? 5000`): before parsing, `??=` and `??` are
// read as `+=` and `+` (same length, so positions stay right).
// Usage: node check-powershell.mjs <repo root> [extra files...]   Last line: `N passed, N failed`.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Parser, Language } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
const root = path.resolve(process.argv[2] || '.');
const extra = process.argv.slice(3);

await Parser.init();
const wasm = path.join(path.dirname(require.resolve('tree-sitter-powershell/package.json')), 'tree-sitter-powershell.wasm');
const language = await Language.load(wasm);
const parser = new Parser();
parser.setLanguage(language);

let passed = 0;
let failed = 0;
const ok = (name) => { passed++; console.log(`ok - ${name}`); };
const notOk = (name, why) => { failed++; console.log(`not ok - ${name}\n    ${why.replace(/\n/g, '\n    ')}`); };

function walkFiles(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'bin' && entry.name !== 'obj') walkFiles(full, out);
    } else if (/\.(ps1|psm1|psd1)$/i.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

function parse(file) {
  const source = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  return { source, tree: parser.parse(source.replace(/\?\?=/g, '+= ').replace(/\?\?/g, '+ ')) };
}

function syntaxErrors(tree, source) {
  const errors = [];
  const visit = (node) => {
    if (node.isError || node.isMissing) {
      const snippet = source.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 60)).replace(/\n/g, '\\n');
      errors.push(`${node.startPosition.row + 1}:${node.startPosition.column + 1} ${node.isMissing ? 'missing ' + node.type : 'unexpected'} «${snippet}»`);
      return;
    }
    for (const child of node.children) visit(child);
  };
  if (tree.rootNode.hasError) visit(tree.rootNode);
  return errors;
}

const rel = (file) => path.relative(root, file).split(path.sep).join('/');

// ---- 1. syntax -------------------------------------------------------------------------------------------------
const files = [
  ...walkFiles(path.join(root, 'module'), []),
  ...walkFiles(path.join(root, 'tests', 'pester'), []),
  ...walkFiles(path.join(root, 'examples'), []),
  ...['build.ps1', 'Kestrun.Rust.psd1'].map((f) => path.join(root, f)).filter((f) => fs.existsSync(f)),
  ...extra.filter((f) => fs.existsSync(f)).map((f) => path.resolve(f)),
];
for (const file of files) {
  const { source, tree } = parse(file);
  const errors = syntaxErrors(tree, source);
  if (errors.length === 0) ok(`syntax: ${rel(file)}`);
  else notOk(`syntax: ${rel(file)}`, errors.slice(0, 5).join('\n'));
}

// ---- 2. public commands ----------------------------------------------------------------------------------------
const publicDir = path.join(root, 'module', 'Public');
const publicFiles = walkFiles(publicDir, []).filter((f) => f.toLowerCase().endsWith('.ps1'));
const publicNames = [];
for (const file of publicFiles) {
  const expected = path.basename(file, '.ps1');
  publicNames.push(expected);
  const { source, tree } = parse(file);
  const problems = [];
  const functions = [];
  const collect = (node) => {
    if (node.type === 'function_statement') { functions.push(node); return; }
    for (const child of node.namedChildren) collect(child);
  };
  collect(tree.rootNode);
  if (functions.length !== 1) {
    problems.push(`expected exactly one function, found ${functions.length}`);
  } else {
    const fn = functions[0];
    const name = fn.namedChildren.find((c) => c.type === 'function_name');
    if (!name || name.text !== expected) problems.push(`the function is named '${name ? name.text : '?'}', not '${expected}'`);
    const help = fn.namedChildren.filter((c) => c.type === 'comment').map((c) => c.text).join('\n')
      + '\n' + (source.slice(0, fn.startIndex).match(/<#[\s\S]*#>\s*$/) || [''])[0];
    for (const keyword of ['.SYNOPSIS', '.DESCRIPTION', '.EXAMPLE']) {
      if (!help.toUpperCase().includes(keyword)) problems.push(`help has no ${keyword}`);
    }
    const block = fn.namedChildren.find((c) => c.type === 'script_block');
    const paramBlock = block && block.namedChildren.find((c) => c.type === 'param_block');
    const parameters = [];
    if (paramBlock) {
      const list = paramBlock.namedChildren.find((c) => c.type === 'parameter_list');
      for (const p of (list ? list.namedChildren : [])) {
        if (p.type !== 'script_parameter') continue;
        const variable = p.namedChildren.find((c) => c.type === 'variable');
        if (variable) parameters.push(variable.text.replace(/^\$/, ''));
      }
    }
    for (const p of parameters) {
      if (!new RegExp(`^\\s*\\.PARAMETER\\s+${p}\\s*$`, 'im').test(help)) problems.push(`help has no .PARAMETER ${p}`);
    }
  }
  if (problems.length === 0) ok(`public command: ${rel(file)}`);
  else notOk(`public command: ${rel(file)}`, problems.join('\n'));
}

// ---- 3. compiled cmdlets ---------------------------------------------------------------------------------------
// The [Cmdlet(VerbsXxx.Verb or "Verb", "Noun")] classes of module/Cmdlets, and their help files.
const cmdletsDir = path.join(root, 'module', 'Cmdlets');
const helpDir = path.join(cmdletsDir, 'Help');
function walkCs(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'bin' && entry.name !== 'obj') walkCs(full, out);
    } else if (entry.name.endsWith('.cs')) {
      out.push(full);
    }
  }
  return out;
}
const cmdletNames = [];
for (const file of walkCs(cmdletsDir, [])) {
  const source = fs.readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
  for (const m of source.matchAll(/\[\s*Cmdlet\s*\(\s*(?:Verbs\w+\s*\.\s*(\w+)|"(\w+)")\s*,\s*"([\w-]+)"/g)) {
    const name = `${m[1] || m[2]}-${m[3]}`;
    cmdletNames.push(name);
    const helpFile = path.join(helpDir, `${name}.psd1`);
    const problems = [];
    if (!fs.existsSync(helpFile)) {
      problems.push(`no help file module/Cmdlets/Help/${name}.psd1`);
    } else {
      const help = fs.readFileSync(helpFile, 'utf8');
      for (const key of ['Synopsis', 'Description', 'Examples']) {
        if (!new RegExp(`^\\s*${key}\\s*=`, 'm').test(help)) problems.push(`help file has no ${key}`);
      }
    }
    if (problems.length === 0) ok(`compiled cmdlet: ${name} (${rel(file)})`);
    else notOk(`compiled cmdlet: ${name} (${rel(file)})`, problems.join('\n'));
  }
}

// ---- 4. manifest exports ---------------------------------------------------------------------------------------
const manifestFile = path.join(root, 'Kestrun.Rust.psd1');
if (fs.existsSync(manifestFile)) {
  const text = fs.readFileSync(manifestFile, 'utf8');
  const problems = [];
  const exported = {};
  // Each list must be exactly the commands of its kind: Public script functions, compiled cmdlets.
  for (const [key, actual, what] of [
    ['FunctionsToExport', publicNames, 'Public file'],
    ['CmdletsToExport', cmdletNames, 'compiled cmdlet'],
  ]) {
    // Whole-line comments are dropped first: they may contain parentheses.
    const block = text.replace(/^\s*#.*$/gm, '').match(new RegExp(`${key}\\s*=\\s*@\\(([\\s\\S]*?)\\)`));
    if (!block) {
      problems.push(`no ${key} = @(...) list`);
      continue;
    }
    const listed = [...block[1].replace(/#.*$/gm, '').matchAll(/'([^']+)'|"([^"]+)"/g)].map((m) => m[1] || m[2]);
    exported[key] = listed;
    if (listed.some((n) => /[*?]/.test(n))) problems.push(`${key} has a wildcard`);
    const a = [...new Set(listed)].sort();
    const b = [...new Set(actual)].sort();
    const missing = b.filter((n) => !a.includes(n));
    const unknown = a.filter((n) => !b.includes(n));
    if (missing.length) problems.push(`not in ${key}: ${missing.join(', ')}`);
    if (unknown.length) problems.push(`in ${key} but no ${what}: ${unknown.join(', ')}`);
    if (listed.length !== a.length) problems.push(`${key} lists a name twice`);
  }
  const both = (exported.FunctionsToExport || []).filter((n) => (exported.CmdletsToExport || []).includes(n));
  if (both.length) problems.push(`exported both as a function and as a cmdlet: ${both.join(', ')}`);
  for (const key of ['VariablesToExport', 'AliasesToExport']) {
    if (!new RegExp(`${key}\\s*=\\s*@\\(\\s*\\)`).test(text)) problems.push(`${key} is not @()`);
  }
  if (!/PowerShellVersion\s*=\s*'7\.4'/.test(text)) problems.push("PowerShellVersion is not '7.4'");
  if (!/CompatiblePSEditions\s*=\s*@\(\s*'Core'\s*\)/.test(text)) problems.push("CompatiblePSEditions is not @('Core')");
  if (problems.length === 0) ok('manifest: Kestrun.Rust.psd1 exports exactly the Public functions and the compiled cmdlets');
  else notOk('manifest: Kestrun.Rust.psd1', problems.join('\n'));
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
