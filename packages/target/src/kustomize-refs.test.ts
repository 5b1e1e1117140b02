import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ErrorCode } from '@gitward/model';
import { assertKustomizationConfined, isRemoteRef, kustomizationRefs } from './kustomize-refs.ts';

const k = (yaml: string) => parse(yaml) as unknown;

describe('kustomizationRefs', () => {
  it('finds remote references in every field that takes one, not only resources', () => {
    const doc = k(`
resources: [ok.yaml, "https://example.com/r.yaml"]
bases: ["github.com/org/repo//base?ref=v1"]
components: ["git@github.com:org/repo.git"]
transformers: ["https://evil.example/t.yaml"]
generators: ["ssh://git@host/repo.git"]
validators: ["git::https://host/v"]
crds: ["https://host/crd.yaml"]
configurations: ["https://host/c.yaml"]
openapi: { path: "https://host/schema.json" }
helmCharts: [{ name: c, repo: "https://charts.example" }]
patches: [{ path: "https://host/p.yaml" }]
`);
    const fields = kustomizationRefs(doc).remote.map((r) => r.field);
    expect(new Set(fields)).toEqual(
      new Set([
        'resources',
        'bases',
        'components',
        'transformers',
        'generators',
        'validators',
        'crds',
        'configurations',
        'openapi',
        'helmCharts',
        'patches',
      ]),
    );
  });

  it('leaves URLs that are data alone (annotations, images, literals, inline patches)', () => {
    const doc = k(`
commonAnnotations: { docs: "https://example.com/docs" }
images: [{ name: app, newName: "ghcr.io/org/app" }]
configMapGenerator: [{ name: c, literals: ["URL=https://api.example.com"] }]
patches: [{ patch: "- op: add\\n  path: /x\\n  value: https://x\\n", target: { kind: Deployment } }]
`);
    expect(kustomizationRefs(doc).remote).toEqual([]);
  });

  it('collects local paths, including key=path generator files', () => {
    const doc = k(`
resources: [../base, deploy.yaml]
configMapGenerator: [{ name: c, files: [conf=../../x/conf.txt] }]
`);
    expect(kustomizationRefs(doc).paths.map((p) => p.value)).toEqual([
      '../base',
      'deploy.yaml',
      '../../x/conf.txt',
    ]);
  });

  it('never throws on any parsed YAML value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        kustomizationRefs(v);
      }),
    );
  });
});

describe('assertKustomizationConfined', () => {
  const root = '/scratch/repo';
  const file = '/scratch/repo/apps/a/kustomization.yaml';

  it('refuses a remote transformer unless remote bases are allowed', () => {
    const doc = k('transformers: ["https://evil.example/t.yaml"]');
    expect(() => assertKustomizationConfined(root, file, doc, false)).toThrow(
      expect.objectContaining({ code: ErrorCode.RenderFailed }),
    );
    expect(() => assertKustomizationConfined(root, file, doc, true)).not.toThrow();
  });

  it('refuses a directory reference that leaves the copy, allows one inside it', () => {
    expect(() =>
      assertKustomizationConfined(root, file, k('resources: [../../../other/scratch]'), true),
    ).toThrow(expect.objectContaining({ code: ErrorCode.PathEscape }));
    expect(() =>
      assertKustomizationConfined(root, file, k('resources: [../../base]'), false),
    ).not.toThrow();
  });

  it('any relative path it accepts resolves inside the root', () => {
    const segment = fc.constantFrom('..', '.', 'a', 'b');
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (parts) => {
        const rel = parts.join('/') || '.';
        let accepted = true;
        try {
          assertKustomizationConfined(root, file, { resources: [rel] }, false);
        } catch {
          accepted = false;
        }
        const depth = parts.reduce(
          (d, p) => (d < 0 ? d : p === '..' ? d - 1 : p === '.' ? d : d + 1),
          2,
        );
        expect(accepted).toBe(depth >= 0);
      }),
    );
  });

  it('recognises the URL shapes kustomize fetches', () => {
    for (const s of [
      'https://github.com/org/repo',
      'git@github.com:org/repo',
      'github.com/org/repo/base?ref=main',
      'gitlab.com/org/repo',
      'git::https://host/x',
      'host.example/org/repo.git//dir',
    ]) {
      expect(isRemoteRef(s), s).toBe(true);
    }
    for (const s of ['../base', 'deploy.yaml', 'components/x'])
      expect(isRemoteRef(s), s).toBe(false);
  });
});
