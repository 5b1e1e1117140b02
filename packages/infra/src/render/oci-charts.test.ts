import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import {
  isExactVersion,
  ociFailure,
  ociPullRuns,
  ociRegistryPath,
  pulledVersion,
} from './oci-charts.ts';

describe('ociRegistryPath', () => {
  it.each([
    ['oci://registry.example.com/charts', false, 'registry.example.com/charts'],
    ['OCI://registry.example.com/charts/', false, 'registry.example.com/charts'],
    ['registry.example.com/charts', false, 'registry.example.com/charts'],
    ['127.0.0.1:5000/team/charts', false, '127.0.0.1:5000/team/charts'],
    ['localhost:5000', false, 'localhost:5000'],
    ['https://charts.example.com', false, undefined],
    ['http://127.0.0.1:8080/charts', false, undefined],
    ['https://registry.example.com/charts', true, 'registry.example.com/charts'],
  ])('%s (enableOCI %s) → %s', (url, enableOCI, want) => {
    expect(ociRegistryPath(url, enableOCI)).toBe(want);
  });

  it.each([
    'oci://-registry/charts',
    'registry.example.com/charts --plain-http',
    'oci://registry.example.com/a/../b?x',
    'registry.example.com/a/../b',
    'oci://',
  ])('refuses %s', (url) => {
    expect(() => ociRegistryPath(url)).toThrow(GitwardError);
  });

  it('answers any string with a path helm reads as one reference, or refuses it', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl(), fc.stringMatching(/^[a-z0-9.:/-]{0,30}$/)),
        fc.boolean(),
        (url, enableOCI) => {
          let path: string | undefined;
          try {
            path = ociRegistryPath(url, enableOCI);
          } catch (err) {
            expect(err).toBeInstanceOf(GitwardError);
            return;
          }
          if (path === undefined) return;
          expect(path.startsWith('-')).toBe(false);
          expect(path).not.toMatch(/\s|:\/\/|\?|#|@/);
          expect(path.split('/')).not.toContain('..');
        },
      ),
    );
  });
});

describe('pulledVersion', () => {
  it.each([
    ['web', 'web-1.2.3.tgz', '', '1.2.3'],
    ['team/web', 'web-2.0.0-rc.1.tgz', '', '2.0.0-rc.1'],
    [
      'web',
      'other-1.0.0.tgz',
      'Pulled: 127.0.0.1:5000/charts/web:1.0.0+build_1\n',
      '1.0.0+build+1',
    ],
    ['web', 'x.tgz', 'nothing', undefined],
  ])('%s in %s', (chart, file, stdout, want) => {
    expect(pulledVersion(chart, file, stdout)).toBe(want);
  });
});

describe('isExactVersion', () => {
  it.each([
    ['1.2.3', true],
    [' 1.2.3 ', true],
    ['>=1.0.0 <2', false],
    ['1.*', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (v, want) => {
    expect(isExactVersion(v)).toBe(want);
  });
});

describe('ociFailure', () => {
  it.each([
    [
      'Error: GET "http://127.0.0.1:1/v2/charts/web/manifests/1.0.0": basic credential not found',
      ErrorCode.RepoAuthFailed,
    ],
    [
      'Error: login attempt to http://h/v2/ failed with status: 401 Unauthorized',
      ErrorCode.RepoAuthFailed,
    ],
    ['Error: 127.0.0.1:1/charts/web:9.9.9: not found', ErrorCode.ChartNotFound],
    ['Error: dial tcp 127.0.0.1:1: connect: connection refused', ErrorCode.RepoFetchFailed],
  ])('%s → %s', (stderr, code) => {
    expect(ociFailure('chart web', stderr, []).code).toBe(code);
  });

  it('never repeats a secret helm may have printed', () => {
    const e = ociFailure('chart web', 'Error: bad password hunter2 for bob', ['hunter2']);
    expect(e.message).not.toContain('hunter2');
    expect(e.message).toContain('***');
  });
});

describe('ociPullRuns', () => {
  it('logs in with the password on stdin only, then pulls with the registry settings', () => {
    const runs = ociPullRuns(
      'r.example:5000/charts',
      'web',
      ' >=1.0 <2 ',
      { username: 'bob', password: 'hunter2', insecureOCIForceHttp: true, insecure: true },
      '/tmp/out',
    );
    expect(runs).toEqual([
      {
        args: [
          ...['registry', 'login', 'r.example:5000', '--username=bob', '--password-stdin'],
          ...['--plain-http', '--insecure'],
        ],
        input: 'hunter2',
      },
      {
        args: [
          ...['pull', 'oci://r.example:5000/charts/web', '--version=>=1.0 <2'],
          ...['--destination=/tmp/out', '--plain-http', '--insecure-skip-tls-verify'],
        ],
      },
    ]);
  });

  it('pulls anonymously without a version when there is no login', () => {
    expect(ociPullRuns('r.example/c', 'web', undefined, { username: 'u' }, '/o')).toEqual([
      { args: ['pull', 'oci://r.example/c/web', '--destination=/o'] },
    ]);
  });

  it('never puts the password in an argument, nor a value from outside as a flag', () => {
    const user = fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('-x', '--plain-http'));
    const version = fc.oneof(fc.string(), fc.constantFrom('--plain-http', '-h'));
    fc.assert(
      // The password has a mark nothing else here can contain, so any argument holding it leaks.
      fc.property(user, fc.string(), version, (u, secret, v) => {
        const fixed = ['pull', 'registry', 'login', 'r.example', '--password-stdin'];
        fc.pre(!u.includes('#') && !v.includes('#') && !fixed.includes(u) && !fixed.includes(v));
        const password = `#pw#${secret}`;
        const runs = ociPullRuns('r.example/c', 'web', v, { username: u, password }, '/o');
        expect(runs[0]?.input).toBe(password);
        for (const run of runs) {
          expect(run.args.filter((a) => a.includes(password))).toEqual([]);
          const fromOutside = run.args.filter(
            (a) => a === u || (v.trim() !== '' && a === v.trim()),
          );
          expect(fromOutside).toEqual([]);
        }
      }),
    );
  });
});
