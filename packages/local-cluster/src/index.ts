/**
 * @module @gitward/local-cluster
 * Owns the embedded local Kubernetes control plane used by `npm start`, the e2e tests and the
 * benchmarks: building the pinned binaries from their Go modules (scripts/build-binaries.sh,
 * versions.env), a private PKI, and a supervisor process running etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok; an optional real node joining it (real-node.ts:
 * kubelet, containerd, runc, a CNI bridge; OCI archives loaded without a registry, oci.ts); and
 * the declaration of gitward's OCI image
 * (image.ts: name, tag, contents), which `npm run image` (scripts/image.ts) builds. It is developer tooling: the operator itself
 * never depends on it.
 */
export {
  binariesIn,
  binaryNames,
  ensureBinaries,
  ensureKubelet,
  type Binaries,
  type BinaryName,
} from './binaries.ts';
export {
  startLocalCluster,
  stopClusterByPid,
  runningClusterIn,
  type LocalCluster,
  type StartClusterOptions,
} from './cluster.ts';
export { fakeNodeName } from './components.ts';
export {
  authorized,
  commitDirectory,
  startGitHttpServer,
  type BasicAuth,
  type CommitDirectoryOptions,
  type GitHttpServer,
  type GitHttpServerOptions,
} from './git-http-server.ts';
export {
  appDir,
  baseImageTag,
  debianPackages,
  debianSources,
  debianSuite,
  imageCmd,
  imageDir,
  imageEntrypoint,
  imageEnv,
  imageRecordPath,
  imageRef,
  imageRepository,
  imageTag,
  imageUser,
  inputsDigest,
  mib,
  parseImageRecord,
  writablePaths,
  type ImageRecord,
  type TreeState,
} from './image.ts';
export {
  buildGoImage,
  containerdNames,
  layerTarArgs,
  packBinaryImage,
  withContainerdNames,
} from './oci.ts';
export { listenPort } from './ports.ts';
export {
  defaultRealNodeName,
  importImage,
  realNodeUnavailable,
  runningRealNodeIn,
  startRealNode,
  type RealNode,
  type StartRealNodeOptions,
} from './real-node.ts';
export {
  pauseImageRef,
  realNodeLabel,
  realNodeTaint,
  realNodeToleration,
} from './real-node-config.ts';
export { mountsUnder, shimPids, type RealNodeState } from './real-node-supervisor.ts';
export { tcpRelay, type TcpRelay } from './tcp-relay.ts';
export { isAlive, readClusterState, type ClusterState } from './state.ts';
export { loadVersions, type ToolVersions } from './versions.ts';
export {
  crdFile,
  deployImage,
  generateDeploy,
  generatedDirs,
  generatedVariants,
  helmTemplate,
  objectKey,
  parseObjects,
  readGenerated,
  run,
  splitRendered,
  type RenderedDocument,
  type RenderedObject,
} from './deploy-manifests.ts';
