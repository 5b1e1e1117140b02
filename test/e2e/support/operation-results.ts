import type { Application } from '@gitward/model';

type OperationState = NonNullable<NonNullable<Application['status']>['operationState']>;
export type ResultItem = NonNullable<
  NonNullable<OperationState['syncResult']>['resources']
>[number];

// Readers of the last operation's state, so assertions read as what they check.

/** The operation's phase and message (the message explains a wrong phase in a failure). */
export const phaseOf = (a: Application) => a.status?.operationState?.phase;
export const messageOf = (a: Application) => a.status?.operationState?.message;

/** Every per-resource result of the last operation. */
export const resultsOf = (a: Application): ResultItem[] =>
  a.status?.operationState?.syncResult?.resources ?? [];

/** `Kind/name:status` of each result, in order. */
export const resultLines = (a: Application): string[] =>
  resultsOf(a).map((r) => `${r.kind ?? ''}/${r.name ?? ''}:${r.status ?? ''}`);

/** The result of one object (hooks by their name). */
export const resultOf = (a: Application, kind: string, name: string) =>
  resultsOf(a).find((r) => r.kind === kind && r.name === name);

export const historyLength = (a: Application): number => a.status?.history?.length ?? 0;
