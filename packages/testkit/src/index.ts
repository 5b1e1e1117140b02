/**
 * @module @gitward/testkit
 * Owns helpers that give tests real parts: a git smart-HTTP server on loopback (git
 * http-backend) with optional basic auth, and repositories with history that tests push to; an
 * sshd that serves the same repositories over SSH; a classic Helm chart repository.
 * Only tests import it.
 */
export {
  createGitServer,
  type BasicAuth,
  type GitServer,
  type GitServerOptions,
  type TestRepo,
} from './git-server.ts';
export { git, gitEnv } from './git.ts';
export { createGpgKey, gpgEnv, type GpgKey } from './gpg.ts';
export {
  createHelmRepo,
  writeChart,
  type AddChartOptions,
  type ChartDependency,
  type ChartSpec,
  type HelmRepo,
  type HelmRepoOptions,
} from './helm-repo.ts';
export {
  createSshGitServer,
  type SshGitServer,
  type SshGitServerOptions,
} from './ssh-git-server.ts';
export {
  allowedUrl,
  chromiumPath,
  launchBrowser,
  login,
  screenshot,
  screenshotDir,
  type BrowserSession,
} from './browser.ts';
export { createOciRegistry, type OciRegistry, type OciRegistryOptions } from './oci-registry.ts';
export { createHttpsFront, createTestCa, type HttpsFront, type TestCa } from './https-front.ts';
