/**
 * A ref that puts focus in its element when the element appears — what React's `autoFocus` prop
 * did by hand. Preact renders `autoFocus` as the HTML attribute, which browsers honour on page
 * load only, so a form opened later would leave focus on its button. Stable (module level), so it
 * runs once per element, not on every render.
 */
export function focusOnMount(element: HTMLElement | null): void {
  element?.focus();
}
