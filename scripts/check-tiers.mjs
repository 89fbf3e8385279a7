#!/usr/bin/env node
// Enforces the package tier order of the tx2-pack monorepo.
//
// Every directory packages/<name> is published as @tx2/pack-<name> and has a tier.
// A package may depend on (and import) only packages of a LOWER tier:
//   - package.json: dependencies, devDependencies, peerDependencies, optionalDependencies
//   - src/ and test/ sources: import/export ... from, side-effect import, import(),
//     require(), vi.mock()/vi.importActual() and relative paths reaching into another package
// A package may not import itself by name from src/ (tests may, to exercise the public entry).
// A directory under packages/ that is not in the tier table is an error.
//
// Usage: node scripts/check-tiers.mjs [rootDir]    (exit 0 = ok, 1 = violations)
// No dependencies: plain Node.js ESM.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Tier of each packages/<dir>. Lower tiers must not depend on higher ones. */
export const TIERS = Object.freeze({
  format: 0,
  codecs: 1,
  crypto: 2,
  store: 3,
  // ECS adapters: above format (and store, for convenience functions), below everything that records history.
  ecs: 4,
  replay: 5,
  timetravel: 6,
  cli: 7,
});

export const SCOPE_PREFIX = '@tx2/pack-';
const DEP_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];
const SOURCE_DIRS = ['src', 'test'];
const SOURCE_EXT = /\.(?:ts|mts|cts|tsx|js|mjs|cjs|jsx)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', '.turbo']);

/** "@tx2/pack-store/sub/path" -> "store"; anything else -> null. */
export function packDirOf(specifier) {
  if (!specifier.startsWith(SCOPE_PREFIX)) return null;
  const rest = specifier.slice(SCOPE_PREFIX.length);
  const name = rest.split('/')[0];
  return name === '' ? null : name;
}

// ---------------------------------------------------------------------------
// Minimal JS/TS tokenizer: enough to skip comments, strings, template literals
// and regex literals so that only real module specifiers are reported.
// ---------------------------------------------------------------------------

const REGEX_AFTER_KEYWORDS = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

function isIdentStart(ch) {
  return /[A-Za-z_$]/.test(ch) || ch.charCodeAt(0) > 0x7f;
}
function isIdentPart(ch) {
  return /[\w$]/.test(ch) || ch.charCodeAt(0) > 0x7f;
}

/**
 * Tokenize source text. Returns tokens {type: "id"|"str"|"punct", value, pos}.
 * Template literals without substitutions are "str" tokens; the expressions inside
 * `${...}` are tokenized normally. Comments and regex literals are dropped.
 */
export function tokenize(code) {
  const tokens = [];
  const n = code.length;
  let i = 0;
  // Stack of brace depths at which an enclosing template literal resumes.
  const templateStack = [];
  let braceDepth = 0;

  if (code.startsWith('#!')) {
    while (i < n && code[i] !== '\n') i++;
  }

  const prevSignificant = () => tokens[tokens.length - 1];

  function regexAllowed() {
    const prev = prevSignificant();
    if (!prev) return true;
    if (prev.type === 'str') return false;
    if (prev.type === 'id') return REGEX_AFTER_KEYWORDS.has(prev.value);
    return !(prev.value === ')' || prev.value === ']');
  }

  // Reads a template literal body starting after "`" (or after "}" that closes a
  // substitution). Returns when it hits the closing backtick or a "${".
  function readTemplate(start) {
    let j = start;
    let text = '';
    while (j < n) {
      const ch = code[j];
      if (ch === '\\') {
        text += code.slice(j, j + 2);
        j += 2;
      } else if (ch === '`') {
        return { end: j + 1, text, closed: true };
      } else if (ch === '$' && code[j + 1] === '{') {
        return { end: j + 2, text, closed: false };
      } else {
        text += ch;
        j++;
      }
    }
    return { end: n, text, closed: true };
  }

  function pushTemplatePart(pos, part, isHead) {
    if (part.closed && isHead) {
      tokens.push({ type: 'str', value: part.text, pos });
    } else {
      // A template with substitutions is never a static specifier.
      tokens.push({ type: 'punct', value: '`', pos });
    }
    if (!part.closed) {
      templateStack.push(braceDepth);
      braceDepth++;
    }
  }

  while (i < n) {
    const ch = code[i];
    const next = code[i + 1];

    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v') {
      i++;
      continue;
    }
    if (ch === '/' && next === '/') {
      while (i < n && code[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = code.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const start = i;
      let j = i + 1;
      let value = '';
      while (j < n && code[j] !== ch && code[j] !== '\n') {
        if (code[j] === '\\') {
          value += code[j + 1] ?? '';
          j += 2;
        } else {
          value += code[j];
          j++;
        }
      }
      tokens.push({ type: 'str', value, pos: start });
      i = j + 1;
      continue;
    }
    if (ch === '`') {
      const part = readTemplate(i + 1);
      pushTemplatePart(i, part, true);
      i = part.end;
      continue;
    }
    if (ch === '}' && templateStack.length > 0 && templateStack[templateStack.length - 1] === braceDepth - 1) {
      // End of a ${...} substitution: continue the template literal.
      templateStack.pop();
      braceDepth--;
      const part = readTemplate(i + 1);
      pushTemplatePart(i, part, false);
      i = part.end;
      continue;
    }
    if (ch === '/' && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      while (j < n && code[j] !== '\n') {
        const c = code[j];
        if (c === '\\') {
          j += 2;
          continue;
        }
        if (c === '[') inClass = true;
        else if (c === ']') inClass = false;
        else if (c === '/' && !inClass) break;
        j++;
      }
      j++;
      while (j < n && isIdentPart(code[j])) j++; // flags
      i = j;
      continue;
    }
    if (isIdentStart(ch)) {
      const start = i;
      while (i < n && isIdentPart(code[i])) i++;
      tokens.push({ type: 'id', value: code.slice(start, i), pos: start });
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const start = i;
      while (i < n && /[\w.]/.test(code[i])) i++;
      tokens.push({ type: 'id', value: code.slice(start, i), pos: start });
      continue;
    }
    if (ch === '{') braceDepth++;
    else if (ch === '}') braceDepth = Math.max(0, braceDepth - 1);
    tokens.push({ type: 'punct', value: ch, pos: i });
    i++;
  }
  return tokens;
}

function lineOf(code, pos) {
  let line = 1;
  for (let k = 0; k < pos && k < code.length; k++) if (code.charCodeAt(k) === 10) line++;
  return line;
}

const VI_MODULE_FNS = new Set(['mock', 'doMock', 'unmock', 'doUnmock', 'importActual', 'importMock']);

/** All static module specifiers referenced by a JS/TS source text: [{specifier, line}]. */
export function extractImports(code) {
  const tokens = tokenize(code);
  const found = [];
  const add = (tok) => found.push({ specifier: tok.value, line: lineOf(code, tok.pos) });
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type !== 'id') continue;
    const prev = tokens[k - 1];
    const afterDot = prev && prev.type === 'punct' && prev.value === '.';
    const a = tokens[k + 1];
    const b = tokens[k + 2];
    if (t.value === 'from' && a?.type === 'str') {
      add(a); // import x from "m" / export { x } from "m" / export * from "m"
    } else if (t.value === 'import' && !afterDot && a?.type === 'str') {
      add(a); // import "m"
    } else if (t.value === 'import' && !afterDot && a?.value === '(' && b?.type === 'str') {
      add(b); // import("m") and type-level import("m")
    } else if (t.value === 'require' && !afterDot && a?.value === '(' && b?.type === 'str') {
      add(b); // require("m"), import x = require("m")
    } else if (VI_MODULE_FNS.has(t.value) && afterDot && tokens[k - 2]?.value === 'vi' && a?.value === '(' && b?.type === 'str') {
      add(b); // vi.mock("m"), vi.importActual("m")
    }
  }
  return found;
}

// ---------------------------------------------------------------------------
// Repository walk
// ---------------------------------------------------------------------------

function toPosix(p) {
  return p.split(path.sep).join('/');
}

function listSourceFiles(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSourceFiles(full));
    else if (entry.isFile() && SOURCE_EXT.test(entry.name)) out.push(full);
  }
  return out.sort();
}

function describe(dir) {
  return `${SCOPE_PREFIX}${dir} (tier ${TIERS[dir]})`;
}

/**
 * Check every package under <rootDir>/packages. Returns a list of violations
 * {file, line, specifier, message}; an empty list means the tiers are respected.
 * `file` is relative to rootDir with "/" separators; `line` is 0 for package-level problems.
 */
export function checkTiers(rootDir) {
  const violations = [];
  const packagesDir = path.join(rootDir, 'packages');
  const rel = (p) => toPosix(path.relative(rootDir, p));
  const report = (file, line, specifier, message) => violations.push({ file: rel(file), line, specifier, message });

  if (!existsSync(packagesDir)) {
    report(packagesDir, 0, '', 'packages/ directory not found');
    return violations;
  }

  const dirs = readdirSync(packagesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();

  for (const dir of dirs) {
    const pkgRoot = path.join(packagesDir, dir);
    if (!Object.hasOwn(TIERS, dir)) {
      report(pkgRoot, 0, '', `packages/${dir} is not in the tier table (${Object.keys(TIERS).join(', ')}); add it to TIERS in scripts/check-tiers.mjs`);
      continue;
    }
    const tier = TIERS[dir];
    const self = `${SCOPE_PREFIX}${dir}`;

    // Classifies one reference to another module; returns an error message or null.
    const judge = (targetDir, kind, allowSelf) => {
      if (!Object.hasOwn(TIERS, targetDir)) {
        return `${kind} unknown package ${SCOPE_PREFIX}${targetDir} (not in the tier table)`;
      }
      if (targetDir === dir) {
        return allowSelf ? null : `${kind} its own package ${self}; use relative imports inside src/`;
      }
      if (TIERS[targetDir] > tier) {
        return `${kind} ${describe(targetDir)} from ${describe(dir)}; packages may only depend on lower tiers`;
      }
      return null;
    };

    // package.json dependency fields
    const pkgJsonPath = path.join(pkgRoot, 'package.json');
    if (!existsSync(pkgJsonPath)) {
      report(pkgJsonPath, 0, '', 'missing package.json');
    } else {
      let pkg;
      try {
        pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8'));
      } catch (err) {
        report(pkgJsonPath, 0, '', `invalid JSON: ${err.message}`);
      }
      if (pkg) {
        if (pkg.name !== self) {
          report(pkgJsonPath, 0, String(pkg.name), `package name must be "${self}" (found ${JSON.stringify(pkg.name)})`);
        }
        for (const field of DEP_FIELDS) {
          for (const depName of Object.keys(pkg[field] ?? {})) {
            const target = packDirOf(depName);
            if (target === null) continue;
            const msg = judge(target, `${field} lists`, false);
            if (msg) report(pkgJsonPath, 0, depName, msg);
          }
        }
      }
    }

    // Source files
    for (const sub of SOURCE_DIRS) {
      const isTest = sub === 'test';
      for (const file of listSourceFiles(path.join(pkgRoot, sub))) {
        const code = readFileSync(file, 'utf8');
        for (const { specifier, line } of extractImports(code)) {
          let target = packDirOf(specifier);
          let kind = `imports "${specifier}":`;
          if (target === null && specifier.startsWith('.')) {
            // Relative path that escapes into another package directory.
            const resolved = path.resolve(path.dirname(file), specifier);
            const fromPackages = path.relative(packagesDir, resolved);
            if (fromPackages.startsWith('..') || path.isAbsolute(fromPackages)) continue;
            const otherDir = fromPackages.split(path.sep)[0];
            if (!otherDir || otherDir === dir) continue;
            target = otherDir;
            kind = `imports "${specifier}" (a path into packages/${otherDir}):`;
          }
          if (target === null) continue;
          const msg = judge(target, kind, isTest);
          if (msg) report(file, line, specifier, msg);
        }
      }
    }
  }
  return violations;
}

export function formatViolation(v) {
  return `${v.file}${v.line ? `:${v.line}` : ''}: ${v.message}`;
}

function main(argv) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const rootDir = path.resolve(argv[0] ?? path.join(here, '..'));
  const violations = checkTiers(rootDir);
  if (violations.length > 0) {
    for (const v of violations) console.error(`check-tiers: ${formatViolation(v)}`);
    console.error(
      `check-tiers: FAILED with ${violations.length} violation(s). Tier order: ${Object.entries(TIERS)
        .map(([k, t]) => `${k}(${t})`)
        .join(' < ')}`,
    );
    return 1;
  }
  const count = readdirSync(path.join(rootDir, 'packages')).filter((d) => statSync(path.join(rootDir, 'packages', d)).isDirectory()).length;
  console.log(`check-tiers: OK (${count} package(s) checked)`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
