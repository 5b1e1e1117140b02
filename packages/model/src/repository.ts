/**
 * Repository credentials and the Secrets they come from (Argo CD's format: one Secret per
 * repository, or a `repo-creds` template matched by URL prefix).
 */

/** Repository credentials, as Argo CD repository Secrets carry them. */
export interface RepoCredentials {
  /** HTTPS basic auth user. */
  readonly username?: string;
  /** HTTPS basic auth password; may be a personal access token. */
  readonly password?: string;
  /** Sent as `Authorization: Bearer <token>` over HTTPS. */
  readonly bearerToken?: string;
  /** PEM or OpenSSH private key text for SSH URLs. */
  readonly sshPrivateKey?: string;
  /** known_hosts lines for SSH; without them the user's known_hosts applies. */
  readonly knownHosts?: string;
  /**
   * PEM CA certificates an HTTPS repository's server certificate is verified against (from the
   * TLS certs ConfigMap, for the URL's host); without them the system's CAs apply.
   */
  readonly caCerts?: string;
  /** PEM client certificate for HTTPS (Argo CD's repository Secret key `tlsClientCertData`). */
  readonly tlsClientCertData?: string;
  /** PEM private key of that client certificate (`tlsClientCertKey`): a secret. */
  readonly tlsClientCertKey?: string;
  /**
   * Skip TLS certificate and SSH host key verification (trusts whoever answers: for tests and
   * labs only). Argo CD's repository Secret field `insecure`; its deprecated
   * `insecureIgnoreHostKey` is read as the same.
   */
  readonly insecure?: boolean;
  /**
   * The repository is an OCI registry of Helm charts (Argo CD's `enableOCI`). A chart source whose
   * repoURL is `oci://…` or has no scheme (`registry.example.com/charts`) is one without it.
   */
  readonly enableOCI?: boolean;
  /** Talk plain HTTP to the OCI registry (Argo CD's `insecureOCIForceHttp`): loopback and labs. */
  readonly insecureOCIForceHttp?: boolean;
}

/** The `secret-type` label values gitward reads (Argo CD's). */
export const RepoSecretType = { Repository: 'repository', RepoCreds: 'repo-creds' } as const;

/** The label that marks repository Secrets: `<group prefix>/secret-type`. */
export function secretTypeLabel(group: 'gitward.dev' | 'argoproj.io'): string {
  return group === 'argoproj.io' ? 'argocd.argoproj.io/secret-type' : 'gitward.dev/secret-type';
}

/**
 * Argo CD's cluster Secret `config` JSON (the subset gitward honours). Here because both the
 * engine (which parses the Secret) and the Kubernetes adapter (which connects with it) use it.
 */
export interface ClusterConfig {
  readonly bearerToken?: string;
  readonly username?: string;
  readonly password?: string;
  readonly tlsClientConfig?: {
    readonly insecure?: boolean;
    readonly serverName?: string;
    /** Base64 of PEM, as Argo CD stores them. */
    readonly caData?: string;
    readonly certData?: string;
    readonly keyData?: string;
  };
  /**
   * An exec credential plugin that prints the token (Argo CD's `execProviderConfig`, e.g.
   * `aws eks get-token`); env is a map, as Argo CD stores it. Validated where it is run.
   */
  readonly execProviderConfig?: {
    readonly command: string;
    readonly args?: readonly string[];
    readonly env?: Readonly<Record<string, string>>;
    readonly apiVersion: string;
    readonly installHint?: string;
  };
}

/**
 * A credential template (`repo-creds` Secret) as the API shows it: Argo CD's `RepoCreds` fields
 * without any secret, and whether one is stored. Served by `/api/v1/repocreds`, read by the CLI.
 */
export interface RepoCredsView {
  /** The URL prefix the template serves (`https://github.com/org`). */
  readonly url: string;
  readonly type: string;
  readonly username?: string;
  readonly project?: string;
  readonly hasCredentials: boolean;
  readonly insecure: boolean;
  readonly enableOCI?: boolean;
  readonly insecureOCIForceHttp?: boolean;
}

/**
 * What GnuPG says about a commit's signature (from `git verify-commit --raw`), checked against the
 * public keys of the GPG keys ConfigMap (argocd-gpg-keys-cm / gitward-gpg-keys-cm). Whether the
 * key is one an AppProject allows is decided apart (engine, signatureProblem).
 */
export interface CommitSignature {
  /**
   * `good`: a valid signature by a key of the keyring; `unsigned`: no signature at all;
   * `unknown-key`: signed by a key the keyring lacks; `bad`: the signature does not match the
   * commit; `expired`/`revoked`: the signature or its key expired, or the key was revoked;
   * `error`: GnuPG's answer could not be read (`detail` says why).
   */
  readonly status: 'good' | 'unsigned' | 'unknown-key' | 'bad' | 'expired' | 'revoked' | 'error';
  /** The signing key's long key ID (16 hex digits, upper case), when GnuPG named it. */
  readonly keyId?: string;
  /** The signing (sub)key's fingerprint and its primary key's, for a good signature. */
  readonly fingerprint?: string;
  readonly primaryFingerprint?: string;
  readonly detail?: string;
}
