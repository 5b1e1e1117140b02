/**
 * The shared components rendered to HTML on the server (no DOM needed): the table's headers and
 * empty row, the three load states, the toggle group's pressed button and the labelled input.
 */
import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ApiState } from '../lib/use-api.ts';
import { actionsColumn, DataTable } from './data-table.tsx';
import { LoadState } from './load-state.tsx';
import { Segmented } from './segmented.tsx';
import { TextField } from './text-field.tsx';

const noop = () => undefined;
const row = (name: string): ReactNode =>
  createElement('tr', { key: name }, createElement('td', null, name));

const table = (rows: string[], extra: { empty?: string; look?: 'details' } = {}) =>
  renderToStaticMarkup(
    createElement(DataTable<string>, {
      columns: ['Name', actionsColumn],
      rows,
      caption: 'Things',
      children: row,
      ...extra,
    }),
  );

describe('DataTable', () => {
  it('renders the headers, a screen-reader-only actions header and one row per item', () => {
    const out = table(['a', 'b']);
    expect(out).toContain('<div class="table-wrap"><table class="table">');
    expect(out).toContain('<caption class="visually-hidden">Things</caption>');
    expect(out).toContain('<th scope="col">Name</th>');
    expect(out).toContain('<th scope="col"><span class="visually-hidden">Actions</span></th>');
    expect(out).toContain('<tbody><tr><td>a</td></tr><tr><td>b</td></tr></tbody>');
  });

  it.each([
    { rows: [], empty: 'Nothing.', shown: true },
    { rows: ['a'], empty: 'Nothing.', shown: false },
  ])(
    'shows the empty row across all columns only without rows ($rows)',
    ({ rows, empty, shown }) => {
      const out = table(rows, { empty });
      expect(out.includes('<td colSpan="2" class="empty-cell">Nothing.</td>')).toBe(shown);
    },
  );

  it('uses the details look on the details page', () => {
    expect(table([], { look: 'details' })).toContain(
      '<div class="details-table-wrap"><table class="details-table">',
    );
  });
});

const state = (over: Partial<ApiState<{ n: number }>>): ApiState<{ n: number }> => ({
  data: undefined,
  error: undefined,
  loading: false,
  reload: noop,
  set: noop,
  ...over,
});

const load = (s: ApiState<{ n: number }>) =>
  renderToStaticMarkup(
    createElement(LoadState<{ n: number }>, {
      state: s,
      action: 'list things',
      loading: 'Loading things…',
      children: (d) => `n=${d.n}`,
    }),
  );

describe('LoadState', () => {
  it.each([
    { name: 'loading', s: state({ loading: true }), html: '<p role="status">Loading things…</p>' },
    { name: 'loaded', s: state({ data: { n: 1 } }), html: 'n=1' },
    { name: 'reloading keeps the data', s: state({ data: { n: 2 }, loading: true }), html: 'n=2' },
    {
      name: 'failed',
      s: state({ error: { status: 403, code: 'PermissionDenied', message: 'no' } }),
      html: '<p role="alert" class="alert alert-error">You are not allowed to list things: no</p>',
    },
  ])('$name', ({ s, html }) => {
    expect(load(s)).toBe(html);
  });
});

describe('Segmented', () => {
  it('is a named group whose chosen button is pressed', () => {
    const out = renderToStaticMarkup(
      createElement(Segmented<'a' | 'b'>, {
        label: 'View',
        options: [
          { value: 'a', label: 'A' },
          { value: 'b', label: 'B' },
        ],
        value: 'b',
        onChange: noop,
      }),
    );
    expect(out).toBe(
      '<div class="segmented" role="group" aria-label="View">' +
        '<button type="button" aria-pressed="false">A</button>' +
        '<button type="button" aria-pressed="true">B</button></div>',
    );
  });
});

describe('TextField', () => {
  it('ties the label to the input and passes input attributes through', () => {
    const out = renderToStaticMarkup(
      createElement(TextField, {
        id: 'pw',
        label: 'Password',
        type: 'password',
        value: '',
        onChange: noop,
        fieldClass: 'field-wide',
      }),
    );
    expect(out).toBe(
      '<div class="field field-wide"><label for="pw">Password</label>' +
        '<input id="pw" type="password" value=""/></div>',
    );
  });
});
