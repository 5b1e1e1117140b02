import { describe, expect, it } from 'vitest';
import { kubeAccess } from './peer-argocd.ts';
import { parseEnvFile } from './peer-common.ts';
import { oracleSection, peerSection, ratio } from './peer-report.ts';
import type { PeerFigures, PeerName, PeerResult } from './peers.ts';
import type { Verdict } from './peer-status.ts';

describe('ratio', () => {
  it.each([
    [1, 2, '0.50×'],
    [3, 1, '3.00×'],
    [0.05, 1, '0.050×'],
    [1, 0, '—'],
    [Number.NaN, 1, '—'],
    [1, Number.POSITIVE_INFINITY, '—'],
    [undefined, 1, '—'],
    [1, undefined, '—'],
  ])('%s over %s is %s', (ours, theirs, want) => {
    expect(ratio(ours, theirs)).toBe(want);
  });
});

const healthy: Verdict = { sync: 'Synced', health: 'Healthy', settled: true };
const spread = (m: number) => ({ median: m, min: m, max: m, runs: 3 });
const figures = (
  peer: PeerName,
  scale: number,
  verdicts = new Map([['peer-0000', healthy]]),
): PeerFigures => ({
  ok: true,
  peer,
  version: peer === 'gitward' ? 'this commit' : 'v1',
  apps: 20,
  firstSync: 10 * scale,
  firstSyncCpu: 4 * scale,
  cycle: spread(2 * scale),
  cycleCpu: spread(scale),
  rssMiB: 100 * scale,
  pushP50: 0.5 * scale,
  pushP95: scale,
  pushes: 5,
  verdicts,
});

describe('peerSection', () => {
  it('puts the peers beside gitward with gitward/peer ratios', () => {
    const text = peerSection([figures('gitward', 1), figures('Flux', 2), figures('Argo CD', 4)]);
    expect(text).toContain(
      '| figure | gitward | Flux | gitward/Flux | Argo CD | gitward/Argo CD |',
    );
    expect(text).toContain(
      '| first sync of N apps (s) | 10.0 s | 20.0 s | 0.50× | 40.0 s | 0.25× |',
    );
    expect(text).toContain('| RSS (MiB) | 100 MiB | 200 MiB | 0.50× | 400 MiB | 0.25× |');
    expect(text).toContain('| push → live p50 (s) | 0.50 s | 1.00 s | 0.50× | 2.00 s | 0.25× |');
    expect(text).toContain('same 20 apps');
    expect(text).toContain('**0 disagreements**');
  });

  it('says exactly why a peer was not measured and keeps the figures it has', () => {
    const failed: PeerResult = {
      ok: false,
      peer: 'Argo CD',
      command: 'bash bench/peers/build-peers.sh argocd',
      error: 'go: module not available',
    };
    const text = peerSection([figures('gitward', 1), figures('Flux', 2), failed]);
    expect(text).toContain(
      '| first sync of N apps (s) | 10.0 s | 20.0 s | 0.50× | not measured | — |',
    );
    expect(text).toContain('### Not measured: Argo CD');
    expect(text).toContain('`bash bench/peers/build-peers.sh argocd`');
    expect(text).toContain('go: module not available');
    expect(text).toContain('Not compared: Argo CD did not run to the end');
  });

  it('names a wanted peer that did not run at all', () => {
    const text = peerSection([figures('gitward', 1)], ['gitward', 'Flux']);
    expect(text).toContain('| Flux | gitward/Flux |');
    expect(text).toContain('### Not measured: Flux');
    expect(text).not.toContain('Argo CD | gitward/Argo CD');
  });
});

describe('oracleSection', () => {
  it('lists the apps on which gitward and Argo CD disagree', () => {
    const ours = new Map([
      ['a', healthy],
      ['b', healthy],
    ]);
    const theirs = new Map<string, Verdict>([
      ['a', healthy],
      ['b', { sync: 'OutOfSync', health: 'Healthy', settled: false }],
    ]);
    const text = oracleSection(figures('gitward', 1, ours), figures('Argo CD', 1, theirs));
    expect(text).toContain('**1 disagreement**');
    expect(text).toContain('| b | Synced/Healthy | OutOfSync/Healthy |');
    expect(text).not.toContain('| a |');
  });
});

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines and skips comments', () => {
    expect(parseEnvFile('# c\nA=1\n\nB_2="x y"\nlower=no\n')).toEqual({ A: '1', B_2: '"x y"' });
  });
});

describe('kubeAccess', () => {
  it('takes the server and client certificate from a kubeconfig', () => {
    const doc = {
      clusters: [
        { cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0E=' } },
      ],
      users: [{ user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } }],
    };
    expect(kubeAccess(JSON.stringify(doc))).toEqual({
      server: 'https://127.0.0.1:6443',
      caData: 'Q0E=',
      certData: 'Q0VSVA==',
      keyData: 'S0VZ',
    });
    expect(() => kubeAccess(JSON.stringify({ clusters: [] }))).toThrow(/no server/);
  });
});
