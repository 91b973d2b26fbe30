/**
 * What an image built from one of docker/<process>/Dockerfile would contain, worked out
 * without building it: the final stage's instructions, the files its COPY lines and its
 * .dockerignore let in, and the source files and npm packages its entry point needs at run
 * time (the import graph, as the TypeScript compiler resolves it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './compose';

export interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
export function parseDockerfile(file: string): Instruction[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  return logical.map((line) => {
    const space = line.search(/\s/);
    return {
      keyword: line.slice(0, space).toUpperCase(),
      args: line.slice(space + 1).trim(),
    };
  });
}

/** The instructions of the last stage (what the image is made of). */
export function finalStage(instructions: Instruction[]): Instruction[] {
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}

/** Source paths copied from the build context (COPY without --from). */
export function copiedPaths(stage: Instruction[]): string[] {
  return stage
    .filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))
    .flatMap((i) => {
      const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      return parts.slice(0, -1);
    })
    .map((p) => p.replace(/\/$/, ''));
}

/** Dockerignore matching: the last pattern that matches a path (or one of its folders) wins. */
export function dockerignoreFilter(file: string): (relativePath: string) => boolean {
  const rules = readFileSync(path.join(REPO_ROOT, file), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const pattern = (include ? line.slice(1) : line).replace(/^\/|\/$/g, '');
      const source = pattern
        .split('/')
        .map((segment) =>
          segment === '**'
            ? '.*'
            : segment
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return { include, regex: new RegExp(`^${source}$`) };
    });
  return (relativePath) => {
    const segments = relativePath.split('/');
    const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
    let included = true;
    for (const rule of rules) {
      if (candidates.some((c) => rule.regex.test(c))) included = rule.include;
    }
    return included;
  };
}

export interface ImportGraph {
  /** Repository files reached (relative paths). */
  files: Set<string>;
  /** Folders read at run time through `new URL(`./dir/${name}`, import.meta.url)`. */
  folders: Set<string>;
  /** npm packages imported as values (type-only imports are erased at run time). */
  packages: Set<string>;
  /** Relative imports that do not resolve. */
  unresolved: string[];
}

const compilerOptions: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
};

const BUILTINS = new Set(builtinModules);

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // side-effect import
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/** Specifiers a file loads at run time, and the `new URL(..., import.meta.url)` it reads. */
function runtimeReferences(file: string): { specifiers: string[]; urls: string[] } {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const specifiers: string[] = [];
  const urls: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!isTypeOnlyImport(node)) specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      !node.isTypeOnly
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      specifiers.push(node.arguments[0].text);
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'URL' &&
      node.arguments?.length === 2 &&
      node.arguments[1]!.getText(source) === 'import.meta.url'
    ) {
      const first = node.arguments[0]!;
      if (ts.isStringLiteralLike(first)) urls.push(first.text);
      else if (ts.isTemplateExpression(first)) urls.push(first.head.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { specifiers, urls };
}

/** Follows every run-time import from the entry files, within the repository. */
export function importGraph(entries: string[]): ImportGraph {
  const graph: ImportGraph = {
    files: new Set(),
    folders: new Set(),
    packages: new Set(),
    unresolved: [],
  };
  const queue = entries.map((e) => path.join(REPO_ROOT, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    const relative = path.relative(REPO_ROOT, file);
    if (graph.files.has(relative)) continue;
    graph.files.add(relative);
    const { specifiers, urls } = runtimeReferences(file);
    for (const url of urls) {
      const target = path.resolve(path.dirname(file), url);
      if (url.endsWith('/')) graph.folders.add(path.relative(REPO_ROOT, target));
      else if (existsSync(target)) queue.push(target);
      else graph.unresolved.push(`${relative}: new URL('${url}')`);
    }
    for (const specifier of specifiers) {
      if (specifier.startsWith('node:') || BUILTINS.has(specifier)) continue;
      if (!specifier.startsWith('.')) {
        graph.packages.add(packageName(specifier));
        continue;
      }
      const resolved = ts.resolveModuleName(specifier, file, compilerOptions, ts.sys).resolvedModule
        ?.resolvedFileName;
      if (!resolved || resolved.includes('/node_modules/')) {
        graph.unresolved.push(`${relative}: ${specifier}`);
        continue;
      }
      queue.push(resolved);
    }
  }
  return graph;
}
