import { describe, expect, it } from 'vitest';
import {
  alignRows,
  cellText,
  columnWidths,
  formatRow,
  paint,
  renderFields,
  renderTable,
  type Column,
} from './table.ts';

interface Row {
  name: string;
  status: string;
  repo: string;
}

const columns: Column<Row>[] = [
  { header: 'NAME', value: (r) => r.name },
  {
    header: 'STATUS',
    value: (r) => ({ text: r.status, color: r.status === 'Synced' ? 'green' : 'yellow' }),
  },
  { header: 'REPO', value: (r) => r.repo, wide: true },
];
const rows: Row[] = [
  { name: 'web', status: 'Synced', repo: 'https://git/web.git' },
  { name: 'database-primary', status: 'OutOfSync', repo: '' },
];

const esc = String.fromCharCode(27);
const stripAnsi = (s: string): string => s.replace(new RegExp(`${esc}\\[\\d+m`, 'g'), '');

describe('renderTable', () => {
  it('aligns with two spaces and no trailing space', () => {
    expect(renderTable(columns, rows).join('\n')).toMatchInlineSnapshot(`
      "NAME              STATUS
      web               Synced
      database-primary  OutOfSync"
    `);
  });

  it('adds wide columns in wide mode', () => {
    expect(renderTable(columns, rows, { wide: true }).join('\n')).toMatchInlineSnapshot(`
      "NAME              STATUS     REPO
      web               Synced     https://git/web.git
      database-primary  OutOfSync"
    `);
  });

  it('colours only when asked, without moving a column', () => {
    const plain = renderTable(columns, rows, { wide: true });
    const coloured = renderTable(columns, rows, { wide: true, color: true });
    expect(coloured[1]).toBe(
      'web               \u001b[32mSynced\u001b[39m     https://git/web.git',
    );
    expect(coloured.map(stripAnsi)).toEqual(plain);
    expect(plain.join('')).not.toContain('\u001b');
  });
});

describe('cells', () => {
  it.each([
    ['multi\r\nline\tmessage', 'multi line message'],
    ['\u001b[2Jclear screen', ' [2Jclear screen'],
    ['│ ├─Pod/x', '│ ├─Pod/x'],
    ['ünïcödé ✓', 'ünïcödé ✓'],
  ])('cellText(%j) = %j', (s, want) => {
    expect(cellText(s)).toBe(want);
  });

  it('counts code points, not UTF-16 units', () => {
    expect(
      alignRows([
        ['├─a', 'x'],
        ['bb', 'y'],
      ]),
    ).toEqual(['├─a  x', 'bb   y']);
  });

  it('keeps widths that only grow across calls', () => {
    const w1 = columnWidths([['a', 'b', 'c']]);
    const w2 = columnWidths([['aaaa', 'b', 'c']], w1);
    expect(w2).toEqual([4, 1]);
    expect(formatRow(['a', 'b', 'c'], w2)).toBe('a     b  c');
  });

  it('paints nothing when colour is off or the text empty', () => {
    expect([paint('x', 'red', false), paint('', 'red', true), paint('x', undefined, true)]).toEqual(
      ['x', '', 'x'],
    );
  });
});

describe('renderFields', () => {
  it('puts values in one column and skips undefined ones', () => {
    expect(
      renderFields([
        ['Name', 'web'],
        ['URL', undefined],
        ['A key longer than twenty', 'v'],
        ['Sync Status', { text: 'Synced', color: 'green' }],
      ]).join('\n'),
    ).toMatchInlineSnapshot(`
      "Name:               web
      A key longer than twenty: v
      Sync Status:        Synced"
    `);
  });
});
