import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '@gitward/model';

/** A document that is not a Kubernetes object, with where it came from. */
export interface ManifestError {
  readonly origin: string;
  /** 0-based index of the YAML document in the file. */
  readonly document: number;
  readonly message: string;
}

export interface ParsedManifests {
  readonly objects: KubeObject[];
  readonly errors: ManifestError[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Kubernetes List kinds (v1 List, ConfigMapList, ...) are containers, not objects to apply. */
function isList(v: Record<string, unknown>): boolean {
  return typeof v['kind'] === 'string' && v['kind'].endsWith('List') && Array.isArray(v['items']);
}

function validate(v: unknown): string | KubeObject {
  if (!isObject(v)) return `expected an object, got ${Array.isArray(v) ? 'a list' : typeof v}`;
  if (typeof v['apiVersion'] !== 'string' || v['apiVersion'] === '') return 'missing apiVersion';
  if (typeof v['kind'] !== 'string' || v['kind'] === '') return 'missing kind';
  const meta = v['metadata'];
  if (!isObject(meta)) return `${v['kind']}: missing metadata`;
  if (typeof meta['name'] !== 'string' && typeof meta['generateName'] !== 'string') {
    return `${v['kind']}: missing metadata.name`;
  }
  return v as KubeObject;
}

/** Flattens Lists (also nested ones) and JSON arrays into the objects they hold. */
export function flattenObjects(
  values: readonly unknown[],
  origin: string,
  document = 0,
): ParsedManifests {
  const objects: KubeObject[] = [];
  const errors: ManifestError[] = [];
  const visit = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) return v.forEach(visit);
    if (isObject(v) && isList(v)) return (v['items'] as unknown[]).forEach(visit);
    const r = validate(v);
    if (typeof r === 'string') errors.push({ origin, document, message: r });
    else objects.push(r);
  };
  values.forEach(visit);
  return { objects, errors };
}

/**
 * Parses YAML (or JSON) text holding any number of documents into Kubernetes objects. Empty
 * documents are skipped; syntax errors and non-objects are returned as errors, never thrown.
 */
export function parseManifests(text: string, origin: string): ParsedManifests {
  const objects: KubeObject[] = [];
  const errors: ManifestError[] = [];
  parseAllDocuments(text, { uniqueKeys: false }).forEach((doc, i) => {
    if ('errors' in doc && doc.errors.length > 0) {
      const first = doc.errors[0];
      errors.push({
        origin,
        document: i,
        message: first ? (first.message.split('\n')[0] ?? first.message) : 'invalid YAML',
      });
      return;
    }
    const r = flattenObjects([doc.toJS({ maxAliasCount: 100 })], origin, i);
    objects.push(...r.objects);
    errors.push(...r.errors);
  });
  return { objects, errors };
}
