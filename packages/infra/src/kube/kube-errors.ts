import { ErrorCode, GitwardError } from '@gitward/model';
import type { KubeResponse } from './types.ts';

/** Whether `v` is a JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An apiserver answer that was not what the caller needed, with its HTTP status kept. */
export class KubeStatusError extends GitwardError {
  readonly status: number;
  readonly reason: string | undefined;
  constructor(message: string, status: number, reason?: string) {
    super(ErrorCode.KubeRequestFailed, message);
    this.name = 'KubeStatusError';
    this.status = status;
    this.reason = reason;
  }
}

/** Whether `err` is an apiserver answer with this HTTP status (e.g. 410 Gone, 404). */
export function hasStatus(err: unknown, status: number): boolean {
  return err instanceof KubeStatusError && err.status === status;
}

/** The error for an answer a caller cannot work with, quoting the apiserver's Status message. */
export function unexpectedStatus(what: string, res: KubeResponse<unknown>): KubeStatusError {
  const body = res.body;
  // A Status message is the apiserver's own wording about the object, never a credential.
  const detail =
    isObject(body) && body['kind'] === 'Status' && typeof body['message'] === 'string'
      ? `: ${body['message']}`
      : '';
  const reason = isObject(body) && typeof body['reason'] === 'string' ? body['reason'] : undefined;
  return new KubeStatusError(`${what}: HTTP ${res.status}${detail}`, res.status, reason);
}
