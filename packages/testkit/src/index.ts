/**
 * @module @gitward/testkit
 * Owns helpers that give tests real parts: a git smart-HTTP server on loopback (git
 * http-backend) with optional basic auth, and repositories with history that tests push to.
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
