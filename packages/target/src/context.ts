import type { KustomizeSettings, ParsedManifests } from '@gitward/engine';
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
  /** The settings' kustomize binaries and build options; none given: gitward's kustomize alone. */
  readonly kustomize?: KustomizeSettings;
  /** URL schemes Helm value files may use (helm fetches them); none given: none. */
  readonly helmValuesFileSchemes?: readonly string[];
  /** A private scratch directory, deleted after the render. */
  readonly scratch: string;
  /**
   * Runs a tool (by name) with args in cwd, with extra environment; resolves to stdout. `binary`
   * stands for the tool's own (a kustomize version the settings register).
   */
  readonly run: (
    tool: ToolName,
    args: readonly string[],
    cwd: string,
    env?: Record<string, string>,
    binary?: string,
  ) => Promise<string>;
  /**
   * Parses manifest text, a big text off the event loop. Renderers use this, not parseManifests:
   * a 20 MB chart output parsed on the main thread would starve lease renewals.
   */
  readonly parse: (text: string, origin: string) => Promise<ParsedManifests>;
  /** The size limits of this render; tool output counts against it already (see `run`). */
  readonly budget: RenderBudget;
}

/** What one render may read and produce, in bytes; over a limit, the render fails. */
export interface RenderBudget {
  readonly maxFileBytes: number;
  readonly maxRenderBytes: number;
  /** Counts `bytes` read or produced for `what`; throws ManifestTooLarge over maxRenderBytes. */
  charge(bytes: number, what: string): void;
  /** Bytes counted so far. */
  readonly used: number;
}

export type ToolName = 'helm' | 'kustomize' | 'jsonnet' | `plugin:${string}`;

/** A renderer for one source type. */
export type SourceRenderer = (ctx: RenderContext) => Promise<KubeObject[]>;
