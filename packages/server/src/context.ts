import type { ClusterSpec, RepoTrust, ScriptRunner } from '@gitward/engine';
import type { KubeClient } from '@gitward/infra';
import type { RepoCredentials } from '@gitward/model';
import type { Logger } from 'pino';
import type { AppStreamHub } from './app-stream.ts';
import type { LoginLimiter } from './auth/index.ts';
import type { ClusterStore } from './cluster/store.ts';
import type { TreeCaches } from './cluster/tree-cache.ts';
import type { Rbac } from './rbac/index.ts';
import type { Settings, SettingsNames, SettingsSource } from './settings.ts';
import type { TargetSource } from './target-state.ts';
import type { WebhookSecrets } from './webhook/index.ts';

/** Everything a route handler may use; built once in main.ts (or a test) and shared. */
export interface ServerContext {
  /** The control plane's apiserver (and the in-cluster destination): what `store` reads through. */
  readonly kube: KubeClient;
  readonly store: ClusterStore;
  readonly settings: SettingsSource;
  readonly names: SettingsNames;
  /** The enforcer for the current settings (rebuilt when policy or projects change). */
  rbac(settings: Settings): Promise<Rbac>;
  readonly limiter: LoginLimiter;
  /** The one Application watch every `/stream` client of this replica shares. */
  readonly appStream: AppStreamHub;
  /**
   * The client address of a request from `peer`: X-Forwarded-For is read only when the peer is
   * a configured trusted proxy (auth/client-address.ts). Absent: the peer, always.
   */
  readonly clientAddress?: (peer: string, forwardedFor: string | undefined) => string;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly version: string;
  /** Webhook secrets from the settings Secret (Argo CD's `webhook.github.secret`, ...). */
  webhookSecrets(settings: Settings): WebhookSecrets;
  /** `Secure` cookies unless the server runs plain HTTP. */
  readonly secureCookies: boolean;
  /**
   * Renders apps' sources for manifests and diffs. Absent when the server was built without a
   * renderer (tests of other routes): manifests then fail and managed-resources shows live only.
   */
  readonly target?: TargetSource;
  /**
   * Tries a git repository with credentials (`git ls-remote` of HEAD), for `repo add` and
   * `/repositories/:repo/validate`; absent when the server runs without git (tests of other routes).
   */
  readonly checkRepo?: (url: string, creds: RepoCredentials) => Promise<RepoCheck>;
  /**
   * Tries a destination cluster with its credentials (`GET /version`) before `cluster add` saves
   * it; absent when the server runs without one (tests of other routes): clusters are then saved
   * unchecked. The message never quotes a credential.
   */
  readonly checkCluster?: (cluster: ClusterSpec) => Promise<RepoCheck>;
  /**
   * The resource tree's owner index per destination cluster (watch-backed, built on first use).
   * Absent (tests of other routes): the tree lists the child kinds per request.
   */
  readonly trees?: TreeCaches;
  /**
   * Runs the settings' Lua scripts (health checks, resource actions) in the process's Lua worker
   * (infra/lua). Absent (tests of other routes): no script runs, so only built-in health shows.
   */
  readonly runScript?: ScriptRunner;
  /** The environment cluster Secrets' exec credential plugins inherit (the process's). */
  readonly processEnv?: NodeJS.ProcessEnv;
  /**
   * Author, date, message and tags of a commit (full SHA) of a git repository, for
   * `revisions/:revision/metadata`; absent when the server runs without git (tests of other
   * routes): that route then fails with FAILED_PRECONDITION.
   */
  /**
   * The SSH known hosts and TLS certs ConfigMaps as parsed (through a short cache): whom a
   * repository connection trusts (engine repoTrustFor). Absent (tests of other routes): the
   * process's own known_hosts and CAs apply.
   */
  readonly repoTrust?: () => Promise<RepoTrust>;
  readonly revisionMetadata?: (
    repoURL: string,
    sha: string,
    creds?: RepoCredentials,
  ) => Promise<RevisionMetadata>;
}

/** A commit as Argo CD's RevisionMetadata shows it (author as "Name <email>", ISO 8601 date). */
export interface RevisionMetadata {
  readonly author: string;
  readonly date: string;
  readonly message: string;
  readonly tags: readonly string[];
}

export type RepoCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };
