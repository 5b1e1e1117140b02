import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults under HOME', () => {
    expect(loadConfig({ HOME: '/h' })).toEqual({
      cacheDir: '/h/.cache/gitward',
      stateDir: '/h/.local/state/gitward',
      kubeconfig: undefined,
    });
  });

  it('honours XDG and GITWARD_ variables', () => {
    const cfg = loadConfig({
      HOME: '/h',
      XDG_CACHE_HOME: '/c',
      GITWARD_STATE_DIR: '/s',
      GITWARD_KUBECONFIG: '/k',
    });
    expect(cfg).toEqual({ cacheDir: '/c/gitward', stateDir: '/s', kubeconfig: '/k' });
  });

  it('never takes KUBECONFIG', () => {
    expect(loadConfig({ HOME: '/h', KUBECONFIG: '/prod' }).kubeconfig).toBeUndefined();
  });
});
