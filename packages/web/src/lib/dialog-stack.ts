/**
 * Which layers a stack of open dialogs hides: everything under the topmost centred (modal)
 * dialog — the page and the dialogs opened before it (History under Confirm rollback) — so only
 * the dialog in front can be reached. A side panel (not modal) hides nothing.
 */
export function coveredBy(modal: readonly boolean[]): { page: boolean; dialogs: boolean[] } {
  const top = modal.lastIndexOf(true);
  return { page: top >= 0, dialogs: modal.map((_, i) => i < top) };
}
