// renderer/ — set before Leaflet loads (main.tsx imports this first): Leaflet places its panes and markers with
// left/top instead of translate3d. A 3D transform makes each marker its own compositor layer; with hundreds of
// alarm, guard-post and police-room markers, every new alarm's frame spent more time layering and committing
// those layers than drawing the alarm. (The cost: zooming jumps instead of animating.)
(window as unknown as { L_DISABLE_3D?: boolean }).L_DISABLE_3D = true;
export {};
