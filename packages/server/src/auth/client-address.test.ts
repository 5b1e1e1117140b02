import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClientAddress, trustedProxyProblem } from './client-address.ts';

describe('createClientAddress', () => {
  const behindIngress = createClientAddress(['10.0.0.5', '192.168.0.0/16', 'fd00::/8']);

  it.each([
    ['no proxy trusted: the peer, whatever the header says', [], '10.0.0.5', '1.2.3.4', '10.0.0.5'],
    ['an untrusted peer cannot choose its key', null, '203.0.113.9', '1.2.3.4', '203.0.113.9'],
    ['a trusted proxy: the hop it saw', null, '10.0.0.5', '198.51.100.7', '198.51.100.7'],
    ['dual-stack peer form', null, '::ffff:10.0.0.5', '198.51.100.7', '198.51.100.7'],
    [
      'skips trusted hops from the right',
      null,
      '10.0.0.5',
      '198.51.100.7, 192.168.3.4',
      '198.51.100.7',
    ],
    [
      'ignores what a client put left of it',
      null,
      '10.0.0.5',
      '6.6.6.6, 198.51.100.7',
      '198.51.100.7',
    ],
    ['a trusted IPv6 range', null, 'fd00::1', '2001:db8::1', '2001:db8::1'],
    ['no header: the proxy itself', null, '10.0.0.5', undefined, '10.0.0.5'],
    [
      'only trusted hops: the leftmost',
      null,
      '10.0.0.5',
      '192.168.1.1, 192.168.1.2',
      '192.168.1.1',
    ],
  ] as const)('%s', (_what, trusted, peer, xff, want) => {
    const f = trusted ? createClientAddress(trusted) : behindIngress;
    expect(f(peer, xff)).toBe(want);
  });

  it('from an untrusted peer the header never matters', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.string(), (peer, xff) => {
        fc.pre(!peer.startsWith('10.0.0.5') && !peer.startsWith('192.168.'));
        expect(behindIngress(peer, xff)).toBe(peer);
      }),
    );
  });

  it('never throws and answers a hop of the header or the peer', () => {
    fc.assert(
      fc.property(fc.string(), (xff) => {
        const out = behindIngress('10.0.0.5', xff);
        expect(out === '10.0.0.5' || xff.split(',').some((h) => h.trim() === out)).toBe(true);
      }),
    );
  });
});

describe('trustedProxyProblem', () => {
  it.each([
    ['10.0.0.1', undefined],
    ['10.0.0.0/8', undefined],
    ['fd00::/8', undefined],
    ['10.0.0.0/33', 'prefix'],
    ['10.0.0.0/x', 'prefix'],
    ['ingress.local', 'not an IP'],
    ['10.0.0.0/8/1', 'not an IP'],
  ])('%s', (entry, problem) => {
    const out = trustedProxyProblem(entry);
    if (problem === undefined) expect(out).toBeUndefined();
    else expect(out).toContain(problem);
  });
});
