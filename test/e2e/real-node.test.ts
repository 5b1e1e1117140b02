import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import {
  buildGoImage,
  isAlive,
  mountsUnder,
  realNodeLabel,
  realNodeToleration,
  shimPids,
  startRealNode,
  type RealNode,
} from '@gitward/local-cluster';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';

const root = process.getuid?.() === 0;

/** A static HTTP server: `/` greets and logs, `/api` calls the apiserver as a pod would. */
const webMain = `package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
)

const sa = "/var/run/secrets/kubernetes.io/serviceaccount/"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "hello" {
		fmt.Println("hello from exec")
		return
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		log.Printf("GET %s", r.URL.Path)
		host, _ := os.Hostname()
		fmt.Fprintf(w, "hello from %s\\n", host)
	})
	http.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		ca, err := os.ReadFile(sa + "ca.crt")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		token, _ := os.ReadFile(sa + "token")
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(ca)
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		url := "https://" + os.Getenv("KUBERNETES_SERVICE_HOST") + ":" + os.Getenv("KUBERNETES_SERVICE_PORT") + "/version"
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+string(token))
		res, err := c.Do(req)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		fmt.Fprintf(w, "%d %s", res.StatusCode, body)
	})
	log.Printf("listening on :8080")
	log.Fatal(http.ListenAndServe(":8080", nil))
}
`;

function sh(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, (err, stdout, stderr) =>
      err
        ? reject(new Error(`${file} ${args.join(' ')}: ${stderr || err.message}`))
        : resolve(stdout),
    ),
  );
}

async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

interface PodJson {
  spec: { nodeName?: string };
  status: { podIP?: string; conditions?: { type: string; status: string }[] };
}

// A real node needs root (containerd, a bridge, mounts); on any other machine this says why.
describe.skipIf(!root)('a real node (kubelet + containerd; skipped when not root)', () => {
  it('runs a pod from a locally built image, serves it, and leaves nothing behind', async () => {
    const work = await mkdtemp(join(tmpdir(), 'gitward-real-node-e2e-'));
    const ns = uniqueName('real-node');
    let node: RealNode | undefined;
    try {
      node = await startRealNode({
        cluster: inject('cluster'),
        cacheDir: inject('cacheDir'),
        name: uniqueName('real'),
      });
      const nodeName = node.nodeName;
      const n = await getJson<{
        metadata: { labels: Record<string, string> };
        spec: { taints?: { key: string; effect: string }[] };
      }>(['node', nodeName]);
      expect(n.metadata.labels[realNodeLabel.key]).toBe(realNodeLabel.value);
      expect(n.spec.taints).toEqual(
        expect.arrayContaining([
          { key: realNodeToleration.key, value: 'true', effect: 'NoSchedule' },
        ]),
      );

      const src = join(work, 'web');
      await sh('mkdir', ['-p', src]);
      await writeFile(join(src, 'go.mod'), 'module local/web\n\ngo 1.24.0\n');
      await writeFile(join(src, 'main.go'), webMain);
      const ref = `gitward.local/e2e-web:${ns}`;
      const archive = join(work, 'web.oci.tar');
      await buildGoImage({ sourceDir: src, ref, archive });
      expect(await node.importImage(archive)).toEqual([ref]);

      await kubectl(['create', 'namespace', ns]);
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', namespace: ns },
        spec: {
          nodeSelector: { [realNodeLabel.key]: realNodeLabel.value },
          tolerations: [realNodeToleration],
          containers: [
            {
              name: 'web',
              image: ref,
              imagePullPolicy: 'Never',
              ports: [{ containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      };
      await kubectl(['apply', '-f', '-'], JSON.stringify(pod));
      // Ready only because the kubelet's HTTP probe was answered (kwok leaves this node alone).
      const podIP = await waitFor('the pod to be Ready', async () => {
        const p = await getJson<PodJson>(['pod', 'web', '-n', ns]);
        const ready = p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        return ready ? p.status.podIP : undefined;
      });
      const p = await getJson<PodJson>(['pod', 'web', '-n', ns]);
      expect(p.spec.nodeName).toBe(nodeName);

      const res = await fetch(`http://${podIP}:8080/from-host`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('hello from web\n');
      // In-cluster clients reach the apiserver at the kubernetes Service with their token.
      const api = await (await fetch(`http://${podIP}:8080/api`)).text();
      expect(api).toMatch(/^200 .*"gitVersion"/s);

      expect(await kubectl(['logs', 'web', '-n', ns])).toContain('GET /from-host');
      expect(await kubectl(['exec', 'web', '-n', ns, '--', '/app', 'hello'])).toBe(
        'hello from exec\n',
      );

      await kubectl(['delete', 'pod', 'web', '-n', ns, '--wait=true']);
      expect(await kubectl(['get', 'pod', 'web', '-n', ns, '--ignore-not-found'])).toBe('');

      const state = node.state;
      await node.stop();
      node = undefined;
      const pids = [state.pid, ...Object.values(state.componentPids)];
      await waitFor('every node process to exit', () =>
        Promise.resolve(pids.some(isAlive) ? undefined : true),
      );
      expect(await shimPids(state.containerdSocket)).toEqual([]);
      expect(await mountsUnder(state.dir)).toEqual([]);
      expect(existsSync(state.dir)).toBe(false);
      await expect(sh('ip', ['link', 'show', state.bridge])).rejects.toThrow();
      for (const table of ['nat', 'filter']) {
        expect(await sh('iptables', ['-t', table, '-S'])).not.toContain(state.bridge);
      }
      expect(await kubectl(['get', 'node', nodeName, '--ignore-not-found'])).toBe('');
    } finally {
      await node?.stop();
      await kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']).catch(
        () => '',
      );
      await rm(work, { recursive: true, force: true });
    }
  });
});
