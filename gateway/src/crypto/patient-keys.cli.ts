/**
 * Entry point of `npm run patient-keys` (`node gateway/dist/crypto/patient-keys.cli.js`); the command itself is
 * runPatientKeysCli (patient-keys-command.ts, tested there). The only file of the key library that uses Node
 * built-ins: it wires the command to the process. The mnemonic comes from PATIENT_MNEMONIC or standard input
 * (read without echo on a terminal), never from argv. Exits 0, 64 usage, 65 data, 66 unreadable file,
 * 70 unexpected failure, 130 interrupted prompt.
 */
import { readFile } from 'node:fs/promises';
import { runPatientKeysCli } from './patient-keys-command.js';

/** Exit code of a prompt interrupted with Ctrl-C (128 + SIGINT). */
const INTERRUPTED = 130;

class Interrupted extends Error {}

/** Reads one line from the terminal without echoing it (raw mode), so the mnemonic stays off the screen. */
function readHiddenLine(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let line = '';
    const finish = (settle: () => void): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      settle();
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish(() => resolve(line));
        if (ch === '\u0003') return finish(() => reject(new Interrupted('interrupted')));
        line = ch === '\u007f' || ch === '\b' ? line.slice(0, -1) : line + ch;
      }
    };
    process.stderr.write(prompt);
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return readHiddenLine('mnemonic (input hidden, then Enter): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

try {
  process.exitCode = await runPatientKeysCli(process.argv.slice(2), {
    env: process.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    readStdin,
    readFile: (path) => readFile(path, 'utf8'),
    now: () => Math.floor(Date.now() / 1000),
  });
} catch (error) {
  // Unexpected failures: one line, no stack trace (it could quote values from the key library's internals).
  console.error(`patient-keys: ${error instanceof Interrupted ? 'interrupted' : `failed: ${(error as Error).message}`}`);
  process.exitCode = error instanceof Interrupted ? INTERRUPTED : 70;
}
