import { invalid, precondition } from './http/api-error.ts';

/**
 * RFC 6902 on a JSON document, the operations `app patch --type json` needs: add, remove,
 * replace, test. The input is not changed; a bad operation is a 400, a failed test a 400 too.
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw invalid('a json patch is a list of operations');
  const root = { value: structuredClone(doc) };
  for (const op of ops as Op[]) applyOne(root, op);
  return root.value;
}

interface Op {
  op?: string;
  path?: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

function pointer(path: string): string[] {
  if (path !== '' && !path.startsWith('/'))
    throw invalid(`json patch path ${path} must start with /`);
  return path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container holding the path's last segment, and that segment. */
function locate(root: { value: unknown }, path: string): { parent: Container; key: string } {
  const parts = pointer(path);
  const last = parts.pop();
  if (last === undefined) throw invalid('json patch path must not be empty');
  let parent: unknown = root.value;
  for (const p of parts) parent = (parent as Record<string, unknown> | undefined)?.[p];
  if (typeof parent !== 'object' || parent === null)
    throw invalid(`json patch path ${path} does not exist`);
  return { parent: parent as Container, key: last };
}

function applyOne(root: { value: unknown }, op: Op): void {
  const { parent, key } = locate(root, op.path ?? '');
  const index = Array.isArray(parent) ? (key === '-' ? parent.length : Number(key)) : -1;
  const kind = op.op ?? '';
  if (kind === 'add' && Array.isArray(parent)) parent.splice(index, 0, op.value);
  else if (kind === 'add' || kind === 'replace') set(parent, key, index, op.value);
  else if (kind === 'remove') remove(parent, key, index);
  else if (kind === 'test') test(parent, key, index, op);
  else throw invalid(`json patch operation ${kind} is not supported`);
}

function set(parent: Container, key: string, index: number, value: unknown): void {
  if (Array.isArray(parent)) parent[index] = value;
  else parent[key] = value;
}

function remove(parent: Container, key: string, index: number): void {
  if (Array.isArray(parent)) parent.splice(index, 1);
  else delete parent[key];
}

function test(parent: Container, key: string, index: number, op: Op): void {
  const actual = Array.isArray(parent) ? parent[index] : parent[key];
  if (JSON.stringify(actual) !== JSON.stringify(op.value))
    throw precondition(`json patch test failed at ${op.path ?? ''}`);
}
