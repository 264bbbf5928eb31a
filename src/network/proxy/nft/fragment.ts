// Plain-data pieces of the rule set. Each service port contributes one Fragment; the base fragment holds
// the hooks, the dispatch maps and the catch-all rules. The tracker (`tracker.ts`) merges fragments, so
// objects that several fragments share (the `pick-*` chains, hairpin pairs) exist while anyone uses them.

export interface ChainDef {
  name: string;
  /** Base chains only: `type nat hook output priority -100 ; policy accept ;` */
  hook?: string;
  rules: string[];
}

export interface SetDef {
  name: string;
  kind: 'set' | 'map';
  /** What goes between the braces of `add set`: `type ipv4_addr ;` */
  spec: string;
  /** The kernel fills it (affinity); a resync keeps its elements. */
  dynamic?: boolean;
}

export interface ElementDef {
  set: string;
  key: string;
  /** Maps only. */
  value?: string;
  comment?: string;
}

export interface Fragment {
  chains: ChainDef[];
  sets: SetDef[];
  elements: ElementDef[];
}

export function emptyFragment(): Fragment {
  return { chains: [], sets: [], elements: [] };
}
