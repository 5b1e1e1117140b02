/**
 * The reconcile of an Application being deleted: PreDelete hooks, the cascade its finalizer asks
 * for, PostDelete hooks, then the finalizer goes (see sync/deletion.ts). Hooks come from the
 * target rendered now. Finalizers and the DeletionError condition are written through the store.
 */
import type { ApplicationStore } from '@gitward/control';
import { ApplicationConditionType, type Application } from '@gitward/model';
import type { Logger } from 'pino';
import { deletionPass } from '../sync/deletion.ts';
import type { TargetStage } from './target-stage.ts';
import type { ReconcileOutcome, StageDeps } from './types.ts';

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

export function createDeletionStage(d: StageDeps, store: ApplicationStore, targets: TargetStage) {
  async function blockDeletion(
    app: Application,
    message: string,
    log: Logger,
  ): Promise<ReconcileOutcome> {
    log.info({ reason: message }, 'deletion blocked');
    const condition = {
      type: ApplicationConditionType.DeletionError,
      message,
      lastTransitionTime: d.now().toISOString(),
    };
    await store.write(app, { status: { conditions: [condition] } });
    return { kind: 'requeue', afterMs: 2000 };
  }

  async function deleteApplication(app: Application, log: Logger): Promise<ReconcileOutcome> {
    const cluster = await d.destinations.resolve(app.spec.destination);
    if (!cluster) {
      // As Argo CD: without the cluster nothing can be cascaded; the finalizer stays until the
      // cluster is registered again or a user removes it (which orphans the resources).
      const where = app.spec.destination.server ?? app.spec.destination.name ?? '';
      return blockDeletion(app, `destination cluster ${where} is not registered`, log);
    }
    const step = await deletionPass(
      app,
      {
        managed: cluster.cache.managedBy(app.metadata.name),
        live: (key) => cluster.cache.get(key),
        index: await cluster.discovery(),
        target: async () => {
          const { rep, ctx } = await targets.target(app, false);
          if (ctx) return { desired: ctx.desired };
          const why = rep.kind === 'failed' ? rep.conditions.map((c) => c.message) : [];
          return { error: why.join('; ') || 'no target' };
        },
      },
      {
        applier: cluster.applier,
        setFinalizers: async (finalizers) => {
          // Another controller's finalizer added meanwhile must not be dropped: re-decide then.
          const out = await store.write(app, {
            finalizers,
            stillValid: (fresh) => sameList(fresh.metadata.finalizers, app.metadata.finalizers),
          });
          if (out.kind !== 'written') throw new Error('finalizers changed meanwhile; retrying');
        },
      },
    );
    if (step.kind === 'orphan') return { kind: 'done' };
    if (step.kind === 'blocked') return blockDeletion(app, step.message, log);
    if (step.kind === 'waiting') {
      log.info({ reason: step.message }, 'deleting the application');
      return { kind: 'requeue', afterMs: 1000 };
    }
    log.info('resources deleted; finalizer removed');
    return { kind: 'done' };
  }

  return { deleteApplication };
}
