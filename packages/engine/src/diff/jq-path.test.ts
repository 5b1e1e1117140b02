import { describe, expect, it } from 'vitest';
import { deleteJqPath, jqPaths, parseJqPath, type JqPath } from './jq-path.ts';

function parsed(expr: string): JqPath {
  const r = parseJqPath(expr);
  if (!r.ok) throw new Error(r.error);
  return r.path;
}

const pod = {
  metadata: { annotations: { 'a/b': 'x', plain: 'y' } },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'app:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
      { name: 'istio-proxy', image: 'proxy:1', ports: [{ containerPort: 15090 }] },
    ],
    replicas: 3,
    paused: false,
  },
  webhooks: [{ clientConfig: { caBundle: 'abc' } }, { clientConfig: {} }],
};

describe('parseJqPath', () => {
  it.each([
    ['.spec.replicas', [['spec', 'replicas']]],
    ['.metadata.annotations."a/b"', [['metadata', 'annotations', 'a/b']]],
    ['.metadata.annotations["a/b"]', [['metadata', 'annotations', 'a/b']]],
    ['.["spec"].replicas', [['spec', 'replicas']]],
    ['.spec.containers[0].image', [['spec', 'containers', 0, 'image']]],
    ['.spec.containers[-1].name', [['spec', 'containers', 1, 'name']]],
    [
      '.spec.containers[].image',
      [
        ['spec', 'containers', 0, 'image'],
        ['spec', 'containers', 1, 'image'],
      ],
    ],
    ['.spec.containers | .[1] | .name', [['spec', 'containers', 1, 'name']]],
    ['.spec.containers[] | select(.name == "istio-proxy")', [['spec', 'containers', 1]]],
    ['.spec.containers[] | select(.name != "app") | .image', [['spec', 'containers', 1, 'image']]],
    [
      '.spec.containers[] | select(.name == "app").env[] | select(.name == "B") | .value',
      [['spec', 'containers', 0, 'env', 1, 'value']],
    ],
    [
      '.spec.containers[] | select(.ports[0].containerPort == 15090) | .name',
      [['spec', 'containers', 1, 'name']],
    ],
    ['.spec | select(.replicas == 3 and .paused == false) | .replicas', [['spec', 'replicas']]],
    ['.spec | select(.replicas == 4 or (.paused != true)) | .paused', [['spec', 'paused']]],
    ['.spec.containers[] | select(.ports) | .image', [['spec', 'containers', 1, 'image']]],
    ['.webhooks[]?.clientConfig.caBundle', [['webhooks', 0, 'clientConfig', 'caBundle']]],
    [
      '.metadata.annotations[]',
      [
        ['metadata', 'annotations', 'a/b'],
        ['metadata', 'annotations', 'plain'],
      ],
    ],
    ['.spec.nothing.deeper', []],
    ['.spec.replicas[]', []],
    ['select(.spec.replicas == 3) | .spec.paused', [['spec', 'paused']]],
  ])('%s selects %j', (expr, want) => {
    expect(jqPaths(parsed(expr), pod)).toEqual(want);
  });

  it.each([
    ['.', /whole object/],
    ['', /expected a path/],
    ['..', /recursive descent/],
    ['.spec.containers[] | select(.name | test("istio"))', /unsupported "\|"|expected "\)"/],
    ['.spec.containers[] | select(.image | startswith("x"))', /expected "\)"/],
    [
      '.spec.containers[] | select(startswith("x"))',
      /unsupported function or keyword "startswith"/,
    ],
    ['del(.spec)', /unsupported function "del"/],
    ['.spec.containers[1:2]', /unsupported character ":"/],
    ['.spec.replicas > 2', /unsupported character ">"/],
    ['.a, .b', /unsupported character ","/],
    ['.metadata.labels.$x', /unsupported character "\$"/],
    ['.metadata."a\\(.b)"', /interpolation/],
    ['.spec.containers[] | select(.env[].name == "A")', /may not iterate/],
    ['.spec.replicas)', /unexpected "\)"/],
    ['.spec.containers[1.5]', /inside \[\]/],
  ])('rejects %s', (expr, error) => {
    const r = parseJqPath(expr);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });
});

describe('deleteJqPath', () => {
  it('deletes every selected element without shifting the others', () => {
    const doc = { items: [{ n: 'a' }, { n: 'b' }, { n: 'a' }, { n: 'c' }] };
    deleteJqPath(doc, parsed('.items[] | select(.n == "a")'));
    expect(doc).toEqual({ items: [{ n: 'b' }, { n: 'c' }] });
  });

  it('ignores paths that do not exist', () => {
    const doc = { a: { b: 1 } };
    deleteJqPath(doc, parsed('.a.c.d'));
    expect(doc).toEqual({ a: { b: 1 } });
  });
});
