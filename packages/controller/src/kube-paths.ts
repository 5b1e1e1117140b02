// The paths and apply constants live in the control layer (the server's dry runs use them too);
// re-exported so the controller's import sites stay as they are.
export { applyPatch, fieldManager, resourcePath } from '@gitward/control';
