import type { ApplicationSource, KubeObject } from '@gitward/model';

/** What one render of one source needs, resolved by the renderer before a tool runs. */
export interface RenderContext {
  /** The repository tree of the resolved commit (read-only, shared). */
  readonly repoRoot: string;
  /** The source directory inside repoRoot (already checked to stay inside). */
  readonly sourceDir: string;
  readonly source: ApplicationSource;
  readonly appName: string;
  readonly project: string;
  readonly destinationNamespace: string | undefined;
  readonly revision: string;
  readonly kubeVersion: string;
  readonly apiVersions: readonly string[];
  /** A private scratch directory, deleted after the render. */
  readonly scratch: string;
  /** Runs a tool (by name) with args in cwd, with extra environment; resolves to stdout. */
  readonly run: (
    tool: ToolName,
    args: readonly string[],
    cwd: string,
    env?: Record<string, string>,
  ) => Promise<string>;
}

export type ToolName = 'helm' | 'kustomize' | 'jsonnet' | `plugin:${string}`;

/** A renderer for one source type. */
export type SourceRenderer = (ctx: RenderContext) => Promise<KubeObject[]>;
