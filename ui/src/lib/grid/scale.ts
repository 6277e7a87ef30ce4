// Browsers cap an element's height (about 17.9 M px in Firefox, 33.5 M px in
// Chrome), so a grid of a million 30 px rows cannot be as tall as its rows.
// The scroller's content is capped at MAX_SCROLL_PX, and positions are
// scaled between the real scroll offset (what the browser reports) and the
// virtual offset (where the rows would be at full height), so that the end
// of the scroll range is always the last row.

/** A height every browser renders: well under Firefox's cap. */
export const MAX_SCROLL_PX = 8_000_000;

/** Maps between real (scroller) and virtual (full-height) offsets. */
export interface Scale {
  /** The height the scroller's content gets. */
  readonly scrollHeight: number;
  /** Real scroll offset -> virtual offset. */
  toVirtual(real: number): number;
  /** Virtual offset -> real scroll offset. */
  toReal(virtual: number): number;
}

/** The scale for `contentHeight` px of rows in a `viewport` px tall scroller. */
export function scale(contentHeight: number, viewport: number, max = MAX_SCROLL_PX): Scale {
  if (contentHeight <= max || contentHeight <= viewport) {
    return { scrollHeight: contentHeight, toVirtual: (r) => r, toReal: (v) => v };
  }
  // Both ranges end where the last row sits at the viewport's bottom.
  const realRange = max - viewport;
  const virtualRange = contentHeight - viewport;
  const ratio = virtualRange / Math.max(1, realRange);
  const clamp = (x: number, hi: number) => Math.min(Math.max(0, x), hi);
  return {
    scrollHeight: max,
    toVirtual: (r) => clamp(r, realRange) * ratio,
    toReal: (v) => clamp(v, virtualRange) / ratio,
  };
}
