/**
 * The live view `app sync` and `app wait` draw on a terminal: the operation's phase and a table of
 * every resource with its state, redrawn in place as the Application changes (CI, which is no
 * terminal, gets the progress lines of app-views.ts instead). Frames and the escape sequences that
 * replace one frame by the next are pure; writing them is the caller's job.
 */
import type { Application } from '@gitward/model';
import type { ApplicationTree } from '../api/types.ts';
import { qualifiedName, resourceStates, statusColor, type ViewOptions } from './app-views.ts';
import { alignRows, paint, type CellValue } from './table.ts';

export interface FrameOptions extends ViewOptions {
  /** Terminal width: longer lines are cut, so that each line takes exactly one row. */
  readonly columns: number;
  /** Terminal height: a longer frame is cut (cursor movement cannot reach above the screen). */
  readonly rows: number;
  /** Resources to show (`--resource` filters); all when absent. */
  readonly include?:
    ((r: { group: string; kind: string; namespace: string; name: string }) => boolean) | undefined;
}

const ESC = String.fromCodePoint(27);

/** The length of the colour code (ESC [ digits ; m) at `i`, or 0. */
function colourCodeAt(line: string, i: number): number {
  if (line[i] !== ESC || line[i + 1] !== '[') return 0;
  let j = i + 2;
  while (j < line.length && /[0-9;]/.test(line[j] ?? '')) j++;
  return line[j] === 'm' ? j + 1 - i : 0;
}

/** Cuts a line to `columns` visible characters, keeping colour codes and resetting after a cut. */
export function clipLine(line: string, columns: number): string {
  let out = '';
  let visible = 0;
  let coloured = false;
  for (let i = 0; i < line.length;) {
    const code = colourCodeAt(line, i);
    if (code > 0) {
      out += line.slice(i, i + code);
      coloured = true;
      i += code;
      continue;
    }
    if (visible === columns) return coloured ? `${out}${ESC}[0m` : out;
    const ch = String.fromCodePoint(line.codePointAt(i) ?? 0);
    out += ch;
    visible++;
    i += ch.length;
  }
  return out;
}

const cell = (s: string): CellValue => ({ text: s, color: statusColor(s === '' ? undefined : s) });

/** One frame: the app's sync and health, its operation, then GROUP KIND ... MESSAGE rows. */
export function renderProgressFrame(
  app: Application,
  tree: ApplicationTree | undefined,
  opts: FrameOptions,
): string[] {
  const op = app.status?.operationState;
  const sync = app.status?.sync?.status ?? 'Unknown';
  const health = app.status?.health?.status ?? 'Unknown';
  const head = [
    `${qualifiedName(app)}  ${paint(sync, statusColor(sync), opts.color)}  ${paint(health, statusColor(health), opts.color)}`,
  ];
  if (op) {
    const phase = paint(op.phase ?? 'Unknown', statusColor(op.phase), opts.color);
    head.push(`Operation ${phase}${op.message ? `: ${op.message}` : ''}`);
  }
  const states = resourceStates(app, tree).filter((s) => opts.include?.(s) ?? true);
  const rows: CellValue[][] = states.map((s) => [
    s.group,
    s.kind,
    s.namespace,
    s.name,
    cell(s.status),
    cell(s.health),
    s.hook,
    s.message,
  ]);
  const header = ['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'HOOK', 'MESSAGE'];
  const table = rows.length ? alignRows([header, ...rows], opts) : [];
  let lines = [...head, ...(table.length ? ['', ...table] : [])];
  const room = Math.max(2, opts.rows - 1);
  if (lines.length > room) {
    const hidden = lines.length - (room - 1);
    lines = [...lines.slice(0, room - 1), `... ${hidden} more`];
  }
  return lines.map((l) => clipLine(l, Math.max(1, opts.columns)));
}

/**
 * What to write to replace the previous frame (`previous` lines tall) by `lines`: up to the start
 * of the old frame, clear to the end of the screen, the new frame. Each line ends with a newline,
 * so the cursor rests below the frame and whatever is printed next follows it.
 */
export function redrawFrame(previous: number, lines: readonly string[]): string {
  const up = previous > 0 ? `${ESC}[${previous}F` : '';
  return `${up}${ESC}[J${lines.map((l) => `${l}\n`).join('')}`;
}
