import { parseAllDocuments, type Document } from 'yaml';
import { errorMessage, type KubeObject } from '@gitward/model';

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

/** Bounds on what one text may cost to parse; repo authors control the text. */
export interface ParseLimits {
  /**
   * Alias expansions per document (the yaml library's maxAliasCount): a "billion laughs" file
   * of a few hundred bytes otherwise expands to gigabytes.
   */
  readonly maxAliasCount?: number;
  /** Documents per text: a file of a million `---` lines is an attack, not a manifest. */
  readonly maxDocuments?: number;
  /**
   * Accept objects without metadata or a name (Argo CD's health test fixtures often have none):
   * for judging an object offline, never for applying one. Default false.
   */
  readonly metadataOptional?: boolean;
}

export const defaultParseLimits = { maxAliasCount: 100, maxDocuments: 10_000 } as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Kubernetes List kinds (v1 List, ConfigMapList, ...) are containers, not objects to apply. */
function isList(v: Record<string, unknown>): boolean {
  return typeof v['kind'] === 'string' && v['kind'].endsWith('List') && Array.isArray(v['items']);
}

const own = (v: Record<string, unknown>, key: string): unknown =>
  Object.hasOwn(v, key) ? v[key] : undefined;

function validate(v: unknown, metadataOptional: boolean): string | KubeObject {
  if (!isObject(v)) return `expected an object, got ${Array.isArray(v) ? 'a list' : typeof v}`;
  const apiVersion = own(v, 'apiVersion');
  const kind = own(v, 'kind');
  if (typeof apiVersion !== 'string' || apiVersion === '') return 'missing apiVersion';
  if (typeof kind !== 'string' || kind === '') return 'missing kind';
  const meta = own(v, 'metadata');
  if (metadataOptional) return (isObject(meta) ? v : { ...v, metadata: {} }) as KubeObject;
  if (!isObject(meta)) return `${kind}: missing metadata`;
  if (typeof own(meta, 'name') !== 'string' && typeof own(meta, 'generateName') !== 'string') {
    return `${kind}: missing metadata.name`;
  }
  return v as KubeObject;
}

/**
 * Flattens Lists (also nested ones) and JSON arrays into the objects they hold. Never throws:
 * input nested too deeply to walk becomes an error of its document.
 */
export function flattenObjects(
  values: readonly unknown[],
  origin: string,
  document = 0,
  metadataOptional = false,
): ParsedManifests {
  const objects: KubeObject[] = [];
  const errors: ManifestError[] = [];
  const visit = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) return v.forEach(visit);
    if (isObject(v) && isList(v)) return (v['items'] as unknown[]).forEach(visit);
    const r = validate(v, metadataOptional);
    if (typeof r === 'string') errors.push({ origin, document, message: r });
    else objects.push(r);
  };
  try {
    values.forEach(visit);
  } catch (err) {
    return { objects: [], errors: [{ origin, document, message: unwalkable(err) }] };
  }
  return { objects, errors };
}

/** A message for what the yaml library or a walk threw (alias bombs, stack overflows). */
function unwalkable(err: unknown): string {
  if (err instanceof RangeError) return 'nested too deeply';
  const msg = errorMessage(err);
  return /alias count/i.test(msg)
    ? 'too many alias expansions (a YAML alias bomb?)'
    : (msg.split('\n')[0] ?? msg);
}

function parseDocument(
  doc: Document.Parsed,
  i: number,
  origin: string,
  maxAliasCount: number,
  metadataOptional: boolean,
) {
  const first = doc.errors[0];
  if (first) {
    const message = first.message.split('\n')[0] ?? first.message;
    return { objects: [], errors: [{ origin, document: i, message }] };
  }
  try {
    return flattenObjects([doc.toJS({ maxAliasCount })], origin, i, metadataOptional);
  } catch (err) {
    return { objects: [], errors: [{ origin, document: i, message: unwalkable(err) }] };
  }
}

/**
 * Parses YAML (or JSON) text holding any number of documents into Kubernetes objects. Empty
 * documents are skipped. Never throws, whatever the text: syntax errors, non-objects, alias
 * bombs, nesting too deep and too many documents are returned as errors.
 */
export function parseManifests(
  text: string,
  origin: string,
  limits: ParseLimits = {},
): ParsedManifests {
  const { maxAliasCount, maxDocuments } = { ...defaultParseLimits, ...limits };
  const objects: KubeObject[] = [];
  const errors: ManifestError[] = [];
  let docs: Document.Parsed[];
  try {
    // logLevel error: the library would otherwise print warnings from inside the pure core.
    docs = parseAllDocuments(text, { uniqueKeys: false, logLevel: 'error' }) as Document.Parsed[];
  } catch (err) {
    return { objects, errors: [{ origin, document: 0, message: unwalkable(err) }] };
  }
  if (docs.length > maxDocuments) {
    const message = `${docs.length} YAML documents, more than the limit of ${maxDocuments}`;
    return { objects, errors: [{ origin, document: maxDocuments, message }] };
  }
  docs.forEach((doc, i) => {
    const r = parseDocument(doc, i, origin, maxAliasCount, limits.metadataOptional ?? false);
    objects.push(...r.objects);
    errors.push(...r.errors);
  });
  return { objects, errors };
}
