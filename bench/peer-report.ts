/**
 * BENCHMARKS.md's peers section (issue 16 §4): gitward, Flux and Argo CD from bench/peers.ts side
 * by side with gitward/peer ratios, each peer that could not be built or run with the command and
 * error that stopped it, and the second oracle (Argo CD's verdict per app next to gitward's).
 * Pure: it formats what the runs measured.
 */
import { disagreements, type Verdict } from './peer-status.ts';
import type { PeerFigures, PeerName, PeerResult } from './peers.ts';
import { formatSpread } from './stats.ts';

/**
 * gitward's figure over the peer's, for figures where lower is better (seconds, CPU, memory), so
 * below 1× gitward is ahead. "—" when either side is missing or the peer's is zero.
 */
export function ratio(ours: number | undefined, theirs: number | undefined): string {
  if (ours === undefined || theirs === undefined) return '—';
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || theirs <= 0) return '—';
  const r = ours / theirs;
  return `${r < 0.1 ? r.toFixed(3) : r.toFixed(2)}×`;
}

interface Row {
  readonly label: string;
  readonly value: (f: PeerFigures) => number;
  readonly show: (f: PeerFigures) => string;
}

const rows: readonly Row[] = [
  {
    label: 'first sync of N apps (s)',
    value: (f) => f.firstSync,
    show: (f) => `${f.firstSync.toFixed(1)} s`,
  },
  {
    label: 'first sync CPU (s)',
    value: (f) => f.firstSyncCpu,
    show: (f) => `${f.firstSyncCpu.toFixed(1)} CPU s`,
  },
  {
    label: 'steady cycle, wall (s)',
    value: (f) => f.cycle.median,
    show: (f) => formatSpread(f.cycle, 's', 1),
  },
  {
    label: 'steady cycle CPU (s)',
    value: (f) => f.cycleCpu.median,
    show: (f) => formatSpread(f.cycleCpu, 'CPU s', 2),
  },
  { label: 'RSS (MiB)', value: (f) => f.rssMiB, show: (f) => `${f.rssMiB.toFixed(0)} MiB` },
  {
    label: 'push → live p50 (s)',
    value: (f) => f.pushP50,
    show: (f) => `${f.pushP50.toFixed(2)} s`,
  },
  {
    label: 'push → live p95 (s)',
    value: (f) => f.pushP95,
    show: (f) => `${f.pushP95.toFixed(2)} s`,
  },
];

const verdictText = (v: Verdict | undefined) => (v ? `${v.sync}/${v.health}` : 'no app');

/** The second oracle: Argo CD's verdicts against gitward's for the same apps. */
export function oracleSection(
  gitward: PeerResult | undefined,
  argo: PeerResult | undefined,
): string {
  const head = "### Second oracle: Argo CD's verdicts next to gitward's";
  if (!gitward?.ok || !argo?.ok)
    return `${head}\n\nNot compared: ${!gitward?.ok ? 'gitward' : 'Argo CD'} did not run to the end (see above).`;
  const diff = disagreements(gitward.verdicts, argo.verdicts);
  const listed = diff.slice(0, 50);
  return [
    head,
    '',
    `The same ${gitward.verdicts.size} Applications (same repository content, same spec but for`,
    "the destination's URL), each judged after its first sync by gitward and by Argo CD itself:",
    `**${diff.length} disagreement${diff.length === 1 ? '' : 's'}** in sync or health status.`,
    ...(listed.length
      ? [
          '',
          '| app | gitward | Argo CD |',
          '| --- | --- | --- |',
          ...listed.map((d) => `| ${d.app} | ${verdictText(d.ours)} | ${verdictText(d.theirs)} |`),
          ...(diff.length > listed.length ? ['', `(${diff.length - listed.length} more)`] : []),
        ]
      : []),
  ].join('\n');
}

/** The whole section, from whatever the runs gave (figures or failures), gitward first. */
export function peerSection(
  results: readonly PeerResult[],
  wanted: PeerName[] = [],
  /** Said after the heading when a run has several sections (one per app count). */
  which?: string,
): string {
  const by = new Map(results.map((r) => [r.peer, r]));
  const gitward = by.get('gitward');
  const ours = gitward?.ok ? gitward : undefined;
  const peers = (['Flux', 'Argo CD'] as const).filter((p) => by.has(p) || wanted.includes(p));
  const figures = (p: PeerName) => {
    const r = by.get(p);
    return r?.ok ? r : undefined;
  };
  const apps = [...by.values()].find((r) => r.ok)?.apps;
  const head = [
    `## Peers side by side (issue 16 §4)${which ? `: ${which}` : ''}`,
    '',
    'gitward, Flux and Argo CD, each on a fresh local control plane of its own, from the same git',
    `repository content over loopback, with the same ${apps ?? 'N'} apps of scenario 2's ten`,
    'objects (each app in its own namespace): gitward.dev Applications, one Flux GitRepository and',
    'Kustomization per app (prune, `wait: true`), argoproj.io Applications (automated, prune,',
    "CreateNamespace). Periodic work is off (gitward) or an hour (Flux's interval, Argo CD's",
    '`--app-resync`), so only the measured work runs. First sync: from the first create request to',
    'every app settled (Synced/Healthy with no operation; Flux: Ready=True for its generation, health',
    "checks included). Steady cycle: every app asked to reconcile at the unchanged commit by the tool's",
    'own request (`gitward.dev/refresh`, `reconcile.fluxcd.io/requestedAt` on the GitRepository and',
    'Kustomization, `argocd.argoproj.io/refresh`) until each says it handled it. CPU and RSS: summed',
    "over the tool's processes (gitward: the controller; Flux: source- and kustomize-controller;",
    'Argo CD: application controller, repo-server and Redis), from /proc. Push → live: a commit to a',
    "10-ConfigMap app, then the tool's refresh request, until the ConfigMap is live and the app",
    'settled at that commit. Ratios are gitward over the peer: below 1× gitward is ahead.',
    '',
    'Built by bench/peers/build-peers.sh from the Go module proxy (versions in',
    'bench/peers/versions.env): ' +
      [gitward, ...peers.map((p) => by.get(p))]
        .filter((r): r is PeerFigures => r?.ok === true)
        .map((r) => `${r.peer} ${r.version}`)
        .join('; ') +
      '.',
  ];
  const fluxNote = peers.includes('Flux')
    ? [
        '',
        "Flux is built at v1.9.6, not the issue's v1.10.1: `go get",
        'github.com/fluxcd/source-controller@v1.10.1` fails here with "github.com/sigstore/cosign/v3@v3.1.4:',
        'reading …/@v/v3.1.4.zip: 403 Forbidden, This module version is not available" (so do',
        'fluxcd/pkg/masktoken v0.10.0, pkg/apis/crypto v0.5.0, pkg/spiffe v0.2.0, pkg/artifact v0.27.1',
        'and pkg/http/transport v0.9.0, which v1.10.x requires); v1.9.6 builds with one patch-level',
        'substitute the proxy serves (fluxcd/pkg/artifact v0.18.3 → v0.18.0).',
      ]
    : [];
  const header = ['| figure | gitward |', ...peers.map((p) => ` ${p} | gitward/${p} |`)].join('');
  const rule = `| --- | ---: |${peers.map(() => ' ---: | ---: |').join('')}`;
  const table = rows.map((row) => {
    const cells = peers.map((p) => {
      const f = figures(p);
      return ` ${f ? row.show(f) : 'not measured'} | ${ratio(ours && row.value(ours), f && row.value(f))} |`;
    });
    return `| ${row.label} | ${ours ? row.show(ours) : 'not measured'} |${cells.join('')}`;
  });
  const failures = [gitward, ...peers.map((p) => by.get(p))].filter(
    (r): r is Extract<PeerResult, { ok: false }> => r !== undefined && !r.ok,
  );
  const missing = peers.filter((p) => !by.has(p));
  const notes = [
    ...failures.flatMap((f) => [
      '',
      `### Not measured: ${f.peer}`,
      '',
      `It stopped at \`${f.command}\`:`,
      '',
      '```',
      f.error.trim(),
      '```',
    ]),
    ...missing.flatMap((p) => ['', `### Not measured: ${p}`, '', 'Not run in this bench run.']),
  ];
  return [
    ...head,
    ...fluxNote,
    '',
    header,
    rule,
    ...table,
    ...notes,
    '',
    oracleSection(gitward, by.get('Argo CD')),
  ].join('\n');
}
