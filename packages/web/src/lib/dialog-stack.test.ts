import { describe, expect, it } from 'vitest';
import { coveredBy } from './dialog-stack.ts';

describe('coveredBy', () => {
  it.each<[string, boolean[], { page: boolean; dialogs: boolean[] }]>([
    ['nothing open', [], { page: false, dialogs: [] }],
    ['one modal', [true], { page: true, dialogs: [false] }],
    ['a side panel', [false], { page: false, dialogs: [false] }],
    ['modal over modal', [true, true], { page: true, dialogs: [true, false] }],
    ['modal over a side panel', [false, true], { page: true, dialogs: [true, false] }],
    ['side panel over a modal', [true, false], { page: true, dialogs: [false, false] }],
  ])('%s', (_name, stack, want) => {
    expect(coveredBy(stack)).toEqual(want);
  });
});
