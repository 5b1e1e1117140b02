import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults under HOME', () => {
    expect(loadConfig({ HOME: '/h' })).toEqual({
      cacheDir: '/h/.cache/gitward',
      stateDir: '/h/.local/state/gitward',
      kubeconfig: undefined,
      clientConfig: '/h/.config/gitward/config.yaml',
      serverEnv: {},
      color: false,
    });
  });

  it('honours XDG and GITWARD_ variables', () => {
    const cfg = loadConfig(
      {
        HOME: '/h',
        XDG_CACHE_HOME: '/c',
        XDG_CONFIG_HOME: '/x',
        GITWARD_STATE_DIR: '/s',
        GITWARD_KUBECONFIG: '/k',
        GITWARD_SERVER: 'localhost:8080',
        GITWARD_AUTH_TOKEN: 't',
      },
      true,
    );
    expect(cfg).toEqual({
      cacheDir: '/c/gitward',
      stateDir: '/s',
      kubeconfig: '/k',
      clientConfig: '/x/gitward/config.yaml',
      serverEnv: { GITWARD_SERVER: 'localhost:8080', GITWARD_AUTH_TOKEN: 't' },
      color: true,
    });
  });

  it.each([
    [{ HOME: '/h' }, false, false],
    [{ HOME: '/h' }, true, true],
    [{ HOME: '/h', NO_COLOR: '1' }, true, false],
  ])('colours only on a terminal without NO_COLOR (%j, tty %s)', (env, tty, color) => {
    expect(loadConfig(env, tty).color).toBe(color);
  });

  it('never takes KUBECONFIG', () => {
    expect(loadConfig({ HOME: '/h', KUBECONFIG: '/prod' }).kubeconfig).toBeUndefined();
  });
});
