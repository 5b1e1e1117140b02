/**
 * @module actions
 * Resource actions (Argo CD's discovery.lua / action.lua, and gitward's built-in ones): what an
 * object offers and what running one changes. The API server applies the result.
 */
export {
  actionSetFor,
  actionsConfigOf,
  actionsFromDiscovery,
  impactedFromAction,
  type ActionSet,
  type ImpactedResource,
} from './actions.ts';
export { builtInActions, restartedAtAnnotation } from './built-in-actions.ts';
