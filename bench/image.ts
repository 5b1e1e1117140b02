/**
 * The image's size, from what the last `npm run image` recorded (building it is not part of the
 * benchmarks: it downloads Debian packages). No archive, no figures, said plainly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { imageRecordPath, mib, parseImageRecord, type ImageRecord } from '@gitward/local-cluster';

export function readImageRecord(cacheDir: string): ImageRecord | undefined {
  const file = imageRecordPath(cacheDir);
  const record = existsSync(file) ? parseImageRecord(readFileSync(file, 'utf8')) : undefined;
  return record && existsSync(record.archive) ? record : undefined;
}

export function imageSection(r: ImageRecord | undefined): string {
  const head = ['## Image', ''];
  if (!r)
    return [...head, '_not recorded: no image archive was built (`npm run image`)_'].join('\n');
  return [
    ...head,
    `\`${r.ref}\`, built by \`npm run image\` (docs/install.md).`,
    '',
    '| size | MiB |',
    '| --- | ---: |',
    `| compressed (the OCI archive) | ${mib(r.compressedBytes).replace(' MiB', '')} |`,
    `| unpacked (the root filesystem) | ${mib(r.unpackedBytes).replace(' MiB', '')} |`,
  ].join('\n');
}
