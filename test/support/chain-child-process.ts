import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * ESM loader hooks that let plain `node` import this repo's TypeScript sources (Node 20 cannot strip types):
 * `./x.js` falls back to `./x.ts`, and `.ts` files are transpiled one by one with TypeScript's transpileModule.
 */
const LOADER = (typescript: string) => `import { readFile } from 'node:fs/promises';
import ts from ${JSON.stringify(typescript)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !/^\\.{1,2}\\/.*\\.js$/.test(specifier)) throw error;
    return next(specifier.slice(0, -3) + '.ts', context);
  }
}
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: url,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, experimentalDecorators: true, emitDecoratorMetadata: true },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
`;

/** A node process running a script that imports TypeScript sources. */
export interface TypeScriptChild {
  readonly child: ChildProcess;
  /** Lines the script has written to stdout so far. */
  readonly lines: string[];
  /** Resolves with the first stdout line matching `pattern` (rejects if the script exits first). */
  line(pattern: RegExp): Promise<string>;
  /** Resolves when the script has exited, with its code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the script if it still runs and removes its temp files. */
  dispose(): Promise<void>;
}

/**
 * Runs `source` (an ES module; import repo files by absolute file URL, e.g. `pathToFileURL(...).href`) in a new
 * node process that is the leader of its own process group, so a test can signal that whole group like a
 * terminal's Ctrl-C would, without hitting the test runner.
 */
export async function spawnTypeScriptChild(source: string): Promise<TypeScriptChild> {
  const dir = await mkdtemp(join(tmpdir(), 'chain-child-'));
  const typescript = pathToFileURL(createRequire(import.meta.url).resolve('typescript')).href;
  await writeFile(join(dir, 'loader.mjs'), LOADER(typescript));
  await writeFile(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'loader.mjs')).href)});\n`);
  await writeFile(join(dir, 'main.mjs'), source);
  const child = spawn(process.execPath, ['--no-warnings', '--import', pathToFileURL(join(dir, 'register.mjs')).href, join(dir, 'main.mjs')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const lines: string[] = [];
  let stderr = '';
  const waiters = new Set<() => void>();
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      for (const wake of waiters) wake();
      resolve({ code, signal });
    });
  });
  return {
    child,
    lines,
    exited,
    line(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find((l) => pattern.test(l));
          if (found !== undefined) {
            waiters.delete(check);
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check);
            reject(new Error(`expected a line matching ${pattern}, the script exited first; stdout ${JSON.stringify(lines)}, stderr ${stderr}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
