import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import {
  applicationSpecSchema,
  ErrorCode,
  findKeyProblem,
  GitwardError,
  type ApplicationSpec,
} from '@gitward/model';

// `app edit`: argocd's InteractiveEdit. The spec is written to a temporary file with a comment
// header, the editor is run on it, and the result is handed to `save`; if that fails, the file is
// reopened with the error as comments above the text, until a save succeeds or the edit is
// abandoned.

const header = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
`;

/** The text without its comment lines (those whose first non-blank character is `#`). */
export function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');
}

/** The text to edit: the header, the last error (as `# ` lines) if any, then the object. */
export function withComments(text: string, error = ''): string {
  const errorLines = error
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => `# ${l}`);
  return [header, ...(errorLines.length ? [errorLines.join('\n')] : []), stripComments(text)].join(
    '\n',
  );
}

/** `$EDITOR` split on white space as argocd does (`code --wait` → code, [--wait]); vi if unset. */
export function editorCommand(editor: string | undefined): { command: string; args: string[] } {
  const parts = (editor ?? '').split(/\s+/).filter((p) => p !== '');
  const [command, ...args] = parts;
  return command === undefined ? { command: 'vi', args: [] } : { command, args };
}

const invalid = (message: string) => new GitwardError(ErrorCode.InvalidArgument, message);

/**
 * An edited spec, parsed from YAML (or JSON) and validated by the Application spec schema; keys
 * such as `__proto__` are refused as the server refuses them.
 */
export function specFromEdit(text: string): ApplicationSpec {
  const doc = parseDocument(text, { uniqueKeys: true, logLevel: 'error' });
  const first = doc.errors[0];
  if (first) throw invalid(`the edited spec is not valid YAML: ${first.message.split('\n')[0]}`);
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  const problem = findKeyProblem(value);
  if (problem?.kind === 'prototype-key')
    throw invalid(`the key "${problem.key}" (at ${problem.path}) is not allowed`);
  if (problem) throw invalid(`the edited spec is nested too deeply at ${problem.path}`);
  const spec = applicationSpecSchema.safeParse(value);
  if (!spec.success) {
    const issues = spec.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`);
    throw invalid(`the edited spec is invalid: ${issues.join('; ')}`);
  }
  return spec.data;
}

/** Runs the editor on `file` with the terminal (stdin, stdout, stderr) handed to it. */
function runEditor(editor: { command: string; args: string[] }, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(editor.command, [...editor.args, file], { stdio: 'inherit' });
    child.on('error', (err) =>
      reject(invalid(`cannot run the editor ${editor.command}: ${err.message}`)),
    );
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(invalid(`the editor ${editor.command} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

export interface InteractiveEditOptions {
  /** The text to edit (no comments). */
  readonly text: string;
  /** The temporary file's name, e.g. `web-edit.yaml`. */
  readonly fileName: string;
  /** `$EDITOR`. */
  readonly editor: string | undefined;
  /** Saves the edited text (comments stripped); throws to have the file reopened with the error. */
  readonly save: (text: string) => Promise<void>;
}

/**
 * argocd's edit loop. An empty or untouched file cancels with an error, nothing written. One
 * difference, so that no script can make the CLI loop forever: when a failed save is followed by
 * exactly the same text again, the edit ends with that error instead of reopening once more.
 */
export async function interactiveEdit(o: InteractiveEditOptions): Promise<void> {
  const editor = editorCommand(o.editor);
  const dir = await mkdtemp(join(tmpdir(), 'gitward-edit-'));
  const file = join(dir, o.fileName);
  try {
    let data = withComments(o.text);
    let lastFailed: { text: string; error: GitwardError | Error } | undefined;
    for (;;) {
      await writeFile(file, data, { mode: 0o600 });
      await runEditor(editor, file);
      const updated = await readFile(file, 'utf8');
      if (updated.trim() === '' || updated === data)
        throw invalid('edit cancelled, no valid changes were saved');
      const text = stripComments(updated);
      if (lastFailed?.text === text) throw lastFailed.error;
      try {
        await o.save(text);
        return;
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        lastFailed = { text, error };
        data = withComments(text, error.message);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
