import { readFileSync } from 'node:fs';

/** Every pinned tool version, parsed from versions.env (the single file that pins them). */
export interface ToolVersions {
  readonly kubernetes: string;
  readonly etcd: string;
  readonly kwok: string;
  readonly helm: string;
  readonly kustomize: string;
  readonly jsonnet: string;
}

export const versionsFile = new URL('../versions.env', import.meta.url);

const keys = {
  KUBERNETES_VERSION: 'kubernetes',
  ETCD_VERSION: 'etcd',
  KWOK_VERSION: 'kwok',
  HELM_VERSION: 'helm',
  KUSTOMIZE_VERSION: 'kustomize',
  JSONNET_VERSION: 'jsonnet',
} as const satisfies Record<string, keyof ToolVersions>;

/** Parses `KEY=value` lines; comments and blank lines are skipped. Exported for tests. */
export function parseVersions(text: string): ToolVersions {
  const found = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) found.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const out: Partial<Record<keyof ToolVersions, string>> = {};
  for (const [envKey, field] of Object.entries(keys)) {
    const value = found.get(envKey);
    if (value === undefined || !/^\d+\.\d+\.\d+$/.test(value)) {
      throw new Error(`versions.env: ${envKey} must be set to a version like 1.2.3`);
    }
    out[field] = value;
  }
  return out as ToolVersions;
}

export function loadVersions(): ToolVersions {
  return parseVersions(readFileSync(versionsFile, 'utf8'));
}
