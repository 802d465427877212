// Does a package declare exactly what it imports? Parses files with the TypeScript compiler API
// (the repository's pinned typescript, so it works offline and needs nothing new) and compares the
// bare specifiers they import with the manifest.
//
// Why not knip or depcheck: both would be a new dependency, and neither follows the two forms these
// packages use to load optional or CommonJS-only packages: `createRequire(import.meta.url)("s3rver")`
// and `import(SPECIFIER)` where SPECIFIER is a string constant in the same file. Parsing with the
// compiler we already pin costs a few dozen lines and sees every form: static imports and
// re-exports, `import type`, `import("x")` types in .d.ts files, `require`, `require.resolve`,
// `createRequire(...)(...)`, `import.meta.resolve` and `/// <reference types>`.
import { isBuiltin } from "node:module";
import ts from "typescript";

/** The package a module specifier names, or undefined for relative paths, URLs and built-ins. */
export function packageOf(specifier) {
  if (/^(\.|\/|[a-z]+:)/i.test(specifier) || isBuiltin(specifier)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function constantStrings(sourceFile) {
  const constants = new Map();
  const visit = (node) => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      ts.isStringLiteralLike(node.initializer) &&
      ts.getCombinedNodeFlags(node) & ts.NodeFlags.Const
    ) {
      constants.set(node.name.text, node.initializer.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return constants;
}

/** True for a call that loads a module: import(), require(), require.resolve(), createRequire(..)(), import.meta.resolve(). */
function isLoaderCall(call) {
  const callee = call.expression;
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (ts.isIdentifier(callee)) return callee.text === "require";
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === "resolve") {
    const target = callee.expression;
    if (ts.isIdentifier(target) && target.text === "require") return true;
    if (ts.isMetaProperty(target)) return true; // import.meta.resolve
    if (ts.isCallExpression(target) && isCreateRequire(target)) return true;
  }
  return ts.isCallExpression(callee) && isCreateRequire(callee);
}

function isCreateRequire(call) {
  const callee = call.expression;
  return (
    (ts.isIdentifier(callee) && callee.text === "createRequire") ||
    (ts.isPropertyAccessExpression(callee) && callee.name.text === "createRequire")
  );
}

/** The comment that marks a load of a module the caller names (never a dependency of the package). */
export const CALLERS_MODULE_MARK = "pick-and-mix: the caller's own module";

// True when the marker comment is on the loader call's line or the line above it: the package loads
// a module its caller chose at run time (a store factory the testkit's conformance suite is given).
function loadsCallersModule(sourceFile, call) {
  const line = sourceFile.getLineAndCharacterOfPosition(call.getStart(sourceFile)).line;
  const lines = sourceFile.text.split("\n");
  return [lines[line - 1], lines[line]].some((l) => l?.includes(CALLERS_MODULE_MARK));
}

/**
 * Every module specifier a JavaScript, TypeScript or declaration file loads. A loader call whose
 * argument is neither a string nor a string constant of the same file is reported in `dynamic`
 * (its target cannot be known statically).
 */
export function moduleSpecifiers(text, fileName) {
  const kind = /\.[cm]?tsx?$/.test(fileName) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const constants = constantStrings(sourceFile);
  const specifiers = [];
  const dynamic = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteralLike(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (ts.isStringLiteralLike(expr)) specifiers.push(expr.text);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteralLike(arg.literal)) specifiers.push(arg.literal.text);
    } else if (ts.isCallExpression(node) && isLoaderCall(node) && node.arguments.length > 0) {
      let arg = node.arguments[0];
      // tsc's rewriteRelativeImportExtensions wraps a non-literal import() argument in a helper.
      if (
        ts.isCallExpression(arg) &&
        ts.isIdentifier(arg.expression) &&
        arg.expression.text === "__rewriteRelativeImportExtension" &&
        arg.arguments.length > 0
      ) {
        arg = arg.arguments[0];
      }
      if (ts.isStringLiteralLike(arg)) specifiers.push(arg.text);
      else if (ts.isIdentifier(arg) && constants.has(arg.text)) specifiers.push(constants.get(arg.text));
      else if (!loadsCallersModule(sourceFile, node)) dynamic.push(arg.getText(sourceFile));
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  for (const ref of sourceFile.typeReferenceDirectives) {
    if (ref.fileName !== "node") specifiers.push(ref.fileName);
  }
  return { specifiers, dynamic };
}

/**
 * Map of package name -> files importing it, over `files` ([{ path, text }]). Loader calls whose
 * target is not static are collected in `dynamic` as "file: expression" (if given an array).
 */
export function importedPackages(files, dynamic = []) {
  const used = new Map();
  for (const { path, text } of files) {
    const found = moduleSpecifiers(text, path);
    for (const expression of found.dynamic) dynamic.push(`${path}: ${expression}`);
    for (const specifier of found.specifiers) {
      const name = packageOf(specifier);
      if (name === undefined) continue;
      if (!used.has(name)) used.set(name, []);
      used.get(name).push(path);
    }
  }
  return used;
}

/** `@types/x` covers `x`; `@types/scope__x` covers `@scope/x`. */
function typesPackageFor(name) {
  return name.startsWith("@") ? `@types/${name.slice(1).replace("/", "__")}` : `@types/${name}`;
}

/**
 * Problems comparing the packages the published files import with the manifest:
 * - an import not declared in dependencies, peerDependencies or optionalDependencies (one in
 *   devDependencies only is not installed for users);
 * - a dependency or required peer that no published file imports.
 * Optional peers nothing imports are listed in `integrations` (a package the user passes in, like
 * an AWS SDK credential provider), not as problems.
 */
export function declarationProblems(manifest, used) {
  const runtime = {
    ...manifest.optionalDependencies,
    ...manifest.dependencies,
    ...manifest.peerDependencies,
  };
  const optionalPeers = new Set(
    Object.entries(manifest.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta?.optional)
      .map(([name]) => name),
  );
  const problems = [];
  for (const [name, files] of [...used].sort(([a], [b]) => a.localeCompare(b))) {
    if (name === manifest.name || name in runtime) continue;
    if (name.startsWith("@types/") || typesPackageFor(name) in runtime) continue;
    const where = `${files[0]}${files.length > 1 ? ` and ${files.length - 1} more` : ""}`;
    const hint =
      name in (manifest.devDependencies ?? {}) ? " (only a devDependency: users do not get it)" : "";
    problems.push(`imports "${name}" (${where}) but does not declare it${hint}`);
  }
  const usedTypes = new Set([...used.keys()].map(typesPackageFor));
  const integrations = [];
  for (const name of Object.keys(runtime).sort()) {
    if (used.has(name) || usedTypes.has(name)) continue;
    if (optionalPeers.has(name)) integrations.push(name);
    else problems.push(`declares "${name}" but no published file imports it`);
  }
  return { problems, integrations };
}

/**
 * Problems in the imports of a package's tests and test helpers: each package must be declared by
 * the package (any kind of dependency) or be a root devDependency.
 */
export function testImportProblems(manifest, rootManifest, used) {
  const declared = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...Object.keys(rootManifest.devDependencies ?? {}),
  ]);
  const problems = [];
  for (const [name, files] of used) {
    if (!declared.has(name)) problems.push(`tests import "${name}" (${files[0]}) but nothing declares it`);
  }
  return problems;
}
