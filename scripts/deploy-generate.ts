/**
 * `npm run deploy:generate`: writes the install manifests under deploy/ from the Helm chart
 * (deploy/chart, the single source): the chart's CRD files from the code's schemas, then
 * deploy/crds, deploy/base and deploy/namespace-install from `helm template` with the pinned helm.
 * The generated directories are replaced whole; the test in
 * packages/local-cluster/src/deploy-manifests.test.ts fails when they drift from the chart.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureBinaries, generateDeploy, generatedDirs } from '@gitward/local-cluster';

const deployDir = join(import.meta.dirname, '..', 'deploy');
const cacheDir = process.env['GITWARD_CACHE_DIR'] ?? join(homedir(), '.cache', 'gitward');
const bin = await ensureBinaries({ cacheDir, onLog: (l) => process.stderr.write(`${l}\n`) });
const files = await generateDeploy(deployDir, bin.path.helm);
for (const dir of generatedDirs) await rm(join(deployDir, dir), { recursive: true, force: true });
for (const [path, text] of files) {
  await mkdir(dirname(join(deployDir, path)), { recursive: true });
  await writeFile(join(deployDir, path), text);
}
process.stdout.write(`wrote ${files.size} files under deploy/\n`);
