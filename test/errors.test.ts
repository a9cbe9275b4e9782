import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { type ErrorName, Errors, errorCode, hasCode, isEarshotError } from '../src/errors.ts';

const ROOT = join(import.meta.dirname, '..');
// Everything that ships: the engine, the server, the CLI's entry and the dashboard.
const SOURCES = ['src', 'server', 'bin', 'client/src'];
const CODE_FILE = /\.(ts|js|svelte)$/;
const STRING_TOKENS = new Set([ts.SyntaxKind.StringLiteral, ts.SyntaxKind.NoSubstitutionTemplateLiteral, ts.SyntaxKind.TemplateHead]);

/** The string literals of a script that begin with EARSHOT_ (comments and prose that mention a code are not code). */
function literalCodes(script: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, script);
  const found: string[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.CloseBraceToken) kind = scanner.reScanTemplateToken(false);
    if (STRING_TOKENS.has(kind) && scanner.getTokenValue().startsWith('EARSHOT_')) found.push(scanner.getTokenValue());
  }
  return found;
}

/** A .svelte file's scripts; other files are scripts whole. */
function scripts(file: string, text: string): string[] {
  return file.endsWith('.svelte') ? [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]) : [text];
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && CODE_FILE.test(e.name) && !e.parentPath.includes('/dist')).map((e) => join(e.parentPath, e.name));
}

describe('the error registry (src/errors.ts)', () => {
  it('gives each error the code EARSHOT_ + its name, so errorCode(name) is the code it throws', () => {
    for (const name of Object.keys(Errors) as ErrorName[]) {
      const err = new Errors[name]('x', 'y', 'z');
      expect(err.code).toBe(errorCode(name));
      expect(isEarshotError(err)).toBe(true);
      expect(hasCode(err, name)).toBe(true);
    }
  });

  it('hasCode compares codes, so errors rebuilt from another thread or process match', () => {
    expect(hasCode(Object.assign(new Error('gone'), { code: 'EARSHOT_POOL_CLOSED' }), 'POOL_CLOSED')).toBe(true);
    expect(hasCode(new Errors.INVALID_DATA('x'), 'POOL_CLOSED')).toBe(false);
    expect(hasCode(null, 'INTERNAL')).toBe(false);
  });

  it('is the only place a code is written: no EARSHOT_ literal in any shipped source file', async () => {
    const registry = join(ROOT, 'src/errors.ts');
    const offenders: string[] = [];
    for (const dir of SOURCES) {
      for (const file of await sourceFiles(dir)) {
        if (file === registry) continue;
        const found = scripts(file, await readFile(file, 'utf8')).flatMap(literalCodes);
        if (found.length > 0) offenders.push(`${relative(ROOT, file)}: ${found.join(', ')}`);
      }
    }
    expect(offenders, 'use errorCode(name) or hasCode(err, name) from src/errors.ts').toEqual([]);
  });
});
