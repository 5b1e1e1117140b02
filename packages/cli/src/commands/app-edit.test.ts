import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  editorCommand,
  interactiveEdit,
  specFromEdit,
  stripComments,
  withComments,
} from './app-edit.ts';

describe('edit file comments', () => {
  it('puts the header and the error above the text, and strips them again', () => {
    const text = 'project: default\n';
    const edited = withComments(text, 'spec.project: bad\nsecond line');
    expect(edited).toMatch(/^# Please edit the object below/);
    expect(edited).toContain('# spec.project: bad\n# second line\n');
    expect(stripComments(edited).trim()).toBe('project: default');
    // Reopening replaces the old error rather than stacking it.
    expect(withComments(edited, 'new')).not.toContain('bad');
  });
});

describe('editorCommand', () => {
  it.each<[string | undefined, { command: string; args: string[] }]>([
    [undefined, { command: 'vi', args: [] }],
    ['', { command: 'vi', args: [] }],
    ['nano', { command: 'nano', args: [] }],
    ['code  --wait -n', { command: 'code', args: ['--wait', '-n'] }],
  ])('%j', (editor, want) => {
    expect(editorCommand(editor)).toEqual(want);
  });
});

describe('specFromEdit', () => {
  const ok = `project: default
source: {repoURL: https://git.example/a.git}
destination: {server: https://kubernetes.default.svc}
`;
  it('parses and validates the spec', () => {
    expect(specFromEdit(ok).source?.repoURL).toBe('https://git.example/a.git');
  });
  it.each([
    ['bad YAML', 'project: [', 'not valid YAML'],
    ['a wrong type', ok.replace('default', '[1]'), 'the edited spec is invalid: project'],
    ['a prototype key', `${ok}__proto__: {x: 1}\n`, 'the key "__proto__" (at /__proto__)'],
  ])('refuses %s', (_, text, message) => {
    expect(() => specFromEdit(text)).toThrow(message);
  });
});

/** An editor script that replaces the file with the next of `versions` on each run. */
async function scriptEditor(versions: string[]): Promise<{ editor: string; seen: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-editor-'));
  const seen = join(dir, 'seen');
  const lines = versions.map((v, i) => `[ "$n" = ${i} ] && printf '%s' '${v}' > "$f"`);
  const script = join(dir, 'edit.sh');
  await writeFile(
    script,
    [
      '#!/bin/sh',
      `n=$(cat "${dir}/n" 2>/dev/null || echo 0)`,
      // The file is the last argument, after the editor's own ones.
      'for f; do :; done',
      `cat "$f" >> "${seen}"`,
      ...lines,
      `echo $((n + 1)) > "${dir}/n"`,
      'exit 0',
      '',
    ].join('\n'),
  );
  await chmod(script, 0o755);
  return { editor: `${script} --ignored-arg`, seen };
}

describe('interactiveEdit', () => {
  it('reopens the file with the error until a save succeeds', async () => {
    const { editor, seen } = await scriptEditor(['bad', 'good']);
    const saved: string[] = [];
    await interactiveEdit({
      text: 'start\n',
      fileName: 'web-edit.yaml',
      editor,
      save: (text) => {
        if (text.trim() === 'bad') return Promise.reject(new Error('it is bad'));
        saved.push(text.trim());
        return Promise.resolve();
      },
    });
    expect(saved).toEqual(['good']);
    const opened = await readFile(seen, 'utf8');
    expect(opened).toContain('start');
    expect(opened).toContain('# it is bad');
  });

  it('cancels when the file is left as it was', async () => {
    const { editor } = await scriptEditor([]);
    await expect(
      interactiveEdit({
        text: 'x: 1\n',
        fileName: 'a.yaml',
        editor,
        save: () => Promise.resolve(),
      }),
    ).rejects.toThrow('edit cancelled, no valid changes were saved');
  });

  it('ends with the error when the same text fails twice', async () => {
    const { editor } = await scriptEditor(['bad', 'bad', 'good']);
    await expect(
      interactiveEdit({
        text: 'x: 1\n',
        fileName: 'a.yaml',
        editor,
        save: () => Promise.reject(new Error('still bad')),
      }),
    ).rejects.toThrow('still bad');
  });

  it('fails clearly when the editor cannot run', async () => {
    await expect(
      interactiveEdit({
        text: 'x\n',
        fileName: 'a.yaml',
        editor: '/nonexistent/editor',
        save: () => Promise.resolve(),
      }),
    ).rejects.toThrow('cannot run the editor /nonexistent/editor');
  });
});
