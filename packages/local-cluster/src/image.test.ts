import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  baseImageTag,
  debianPackages,
  imageCmd,
  imageEntrypoint,
  imageEnv,
  imageRef,
  imageTag,
  imageUser,
  inputsDigest,
  mib,
  parseImageRecord,
  writablePaths,
} from './image.ts';

describe('imageTag', () => {
  it.each([
    [{ shortSha: 'c7637c9', dirty: false }, 'c7637c9'],
    [{ shortSha: 'c7637c9abcde', dirty: true }, 'c7637c9abcde-dirty'],
  ])('%o → %s', (tree, tag) => {
    expect(imageTag(tree)).toBe(tag);
  });

  it.each(['', 'HEAD', 'C7637C9', 'c76', 'c7637c9\n', '../x'])('refuses %j', (shortSha) => {
    expect(() => imageTag({ shortSha, dirty: false })).toThrow(/not a git commit SHA/);
  });

  it('names the image fully', () => {
    expect(imageRef('c7637c9-dirty')).toBe('ghcr.io/gitward/gitward:c7637c9-dirty');
  });

  it('tags the Debian base by what made it', () => {
    expect(baseImageTag('0123456789abcdef0123')).toBe('base-bookworm-0123456789ab');
  });
});

describe('inputsDigest', () => {
  const a = new Map([
    ['packages/cli/src/main.ts', '11'],
    ['node', '22'],
  ]);
  it('does not depend on the order the inputs were read in', () => {
    expect(inputsDigest(a)).toBe(inputsDigest(new Map([...a].reverse())));
  });
  it.each([
    ['a changed content', new Map([...a, ['node', '23']])],
    ['an added input', new Map([...a, ['helm', '33']])],
    [
      'a renamed input',
      new Map([
        ['packages/cli/src/main2.ts', '11'],
        ['node', '22'],
      ]),
    ],
  ])('changes with %s', (_, other) => {
    expect(inputsDigest(other)).not.toBe(inputsDigest(a));
  });
  it('cannot be fooled by moving a separator between name and content', () => {
    expect(inputsDigest(new Map([['ab', 'c']]))).not.toBe(inputsDigest(new Map([['a', 'bc']])));
  });
});

describe('parseImageRecord', () => {
  const good = {
    ref: 'ghcr.io/gitward/gitward:abc1234',
    tag: 'abc1234',
    archive: '/c/image/gitward-abc1234.oci.tar',
    compressedBytes: 10,
    unpackedBytes: 20,
    inputsDigest: 'ff',
  };
  it('reads a complete record', () => {
    expect(parseImageRecord(JSON.stringify(good))).toEqual(good);
  });
  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['a missing field', JSON.stringify({ ...good, archive: undefined })],
    ['a size that is not an integer', JSON.stringify({ ...good, unpackedBytes: '20' })],
    ['a field only on the prototype', '{"__proto__": {"ref": "x"}}'],
  ])('reads %s as no record', (_, text) => {
    expect(parseImageRecord(text)).toBeUndefined();
  });
});

it('prints MiB with one decimal', () => {
  expect(mib(3 * 2 ** 20 + 2 ** 19)).toBe('3.5 MiB');
});

describe('the Dockerfile', () => {
  // Users who build with Docker must get the image npm run image builds: same packages, user,
  // entrypoint, command, environment and writable paths.
  const dockerfile = readFileSync(new URL('../../../Dockerfile', import.meta.url), 'utf8');
  it.each([
    ['the Debian packages', debianPackages.join(' ')],
    ['the user', `USER ${imageUser.uid}:${imageUser.uid}`],
    ['the home', `--home-dir ${imageUser.home}`],
    ['the entrypoint', `ENTRYPOINT ${JSON.stringify(imageEntrypoint).replaceAll(',', ', ')}`],
    ['the command', `CMD ${JSON.stringify(imageCmd)}`],
    ['the environment', `ENV ${imageEnv.join(' ')}`],
    ['the writable paths', `VOLUME ${JSON.stringify(writablePaths).replaceAll(',', ', ')}`],
    ['the working directory', `WORKDIR ${imageUser.home}`],
    ['the production closure', 'npm ci --omit=dev --ignore-scripts --workspace=packages/cli'],
  ])('declares %s as image.ts does', (_, line) => {
    expect(dockerfile).toContain(line);
  });
});
