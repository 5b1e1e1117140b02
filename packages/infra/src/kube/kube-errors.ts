import { ErrorCode, GitwardError } from '@gitward/model';
import type { KubeResponse } from './types.ts';

/** Whether `v` is a JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The error for an answer a caller cannot work with, quoting the apiserver's Status message. */
export function unexpectedStatus(what: string, res: KubeResponse<unknown>): GitwardError {
  const body = res.body;
  // A Status message is the apiserver's own wording about the object, never a credential.
  const detail =
    isObject(body) && body['kind'] === 'Status' && typeof body['message'] === 'string'
      ? `: ${body['message']}`
      : '';
  return new GitwardError(ErrorCode.KubeRequestFailed, `${what}: HTTP ${res.status}${detail}`);
}
