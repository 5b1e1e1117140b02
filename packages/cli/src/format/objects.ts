/**
 * The machine-readable outputs (`-o json`, `-o yaml`, `-o name`) shared by every command that
 * prints API objects. A list prints as one JSON array / YAML sequence, as Argo CD's CLI does.
 */
import { stringify } from 'yaml';

export type ObjectFormat = 'json' | 'yaml' | 'name';

export const objectFormats: readonly ObjectFormat[] = ['json', 'yaml', 'name'];

export function isObjectFormat(s: string): s is ObjectFormat {
  return (objectFormats as readonly string[]).includes(s);
}

interface Named {
  readonly metadata: { readonly name: string; readonly namespace?: string | undefined };
}

export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export function formatYaml(value: unknown): string {
  // No line folding: a long message or a URL must stay greppable on one line.
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** `-o name`: one `namespace/name` (or `name`) per line. */
export function formatNames(objects: readonly Named[]): string[] {
  return objects.map((o) =>
    o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name,
  );
}

/** Renders one object or a list in a machine-readable format, as lines to print. */
export function renderObjects<T extends Named>(
  value: T | readonly T[],
  format: ObjectFormat,
): string[] {
  switch (format) {
    case 'json':
      return [formatJson(value)];
    case 'yaml':
      return [formatYaml(value)];
    case 'name':
      return formatNames(Array.isArray(value) ? (value as readonly T[]) : [value as T]);
  }
}
