import { describe, expect, it } from 'vitest';
import { canonicalRepoUrl, sameRepo } from './repo-url.ts';

describe('canonicalRepoUrl', () => {
  it.each([
    ['https://github.com/org/repo', 'github.com/org/repo'],
    ['https://github.com/org/repo.git', 'github.com/org/repo'],
    ['https://github.com/org/repo/', 'github.com/org/repo'],
    ['https://github.com/org/repo.git/', 'github.com/org/repo'],
    ['http://GitHub.com/Org/Repo', 'github.com/org/repo'],
    ['https://user:token@github.com/org/repo.git', 'github.com/org/repo'],
    ['ssh://git@github.com/org/repo.git', 'github.com/org/repo'],
    ['ssh://git@ssh.github.com:443/org/repo.git', 'github.com/org/repo'],
    ['ssh://git@altssh.bitbucket.org:443/ws/repo.git', 'bitbucket.org/ws/repo'],
    ['ssh://git@bitbucket.example.com:7999/ops/app.git', 'bitbucket.example.com/ops/app'],
    ['git@github.com:org/repo.git', 'github.com/org/repo'],
    ['git@github.com:/org/repo.git', 'github.com/org/repo'],
    ['github.com:org/repo', 'github.com/org/repo'],
    ['git://github.com/org/repo.git', 'github.com/org/repo'],
    ['https://gitlab.example.com/group/sub/project.git', 'gitlab.example.com/group/sub/project'],
    ['https://host//org//repo', 'host/org/repo'],
    ['  https://host/org/repo  ', 'host/org/repo'],
    ['https://[::1]:3000/org/repo.git', '[::1]/org/repo'],
    ['github.com/org/repo', 'github.com/org/repo'],
    ['file:///srv/git/repo.git', 'file:/srv/git/repo'],
    // `.github` is part of the name, not a suffix to strip.
    ['https://github.com/org/.github', 'github.com/org/.github'],
  ])('%s -> %s', (url, canonical) => {
    expect(canonicalRepoUrl(url)).toBe(canonical);
  });
});

describe('sameRepo', () => {
  it.each([
    ['https://github.com/org/repo', 'git@github.com:org/repo.git', true],
    ['https://github.com/org/repo', 'ssh://git@github.com:22/org/repo.git', true],
    ['https://github.com/org/repo', 'http://github.com/org/repo/', true],
    ['https://GITHUB.com/org/repo', 'https://github.com/org/repo.git', true],
    ['https://github.com/org/repo', 'https://github.com/org/repo2', false],
    ['https://github.com/org/repo', 'https://github.com/other/repo', false],
    ['https://github.com/org/repo', 'https://gitlab.com/org/repo', false],
    ['https://github.com/org/repo', 'https://github.com/org/repo/sub', false],
    ['https://github.com/org', 'https://github.com/org/repo', false],
    ['', '', false],
  ])('%s ~ %s: %s', (a, b, same) => {
    expect(sameRepo(a, b)).toBe(same);
    expect(sameRepo(b, a)).toBe(same);
  });
});
