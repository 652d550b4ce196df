import type { UnitView } from '../units/units.schemas';

export interface UnitNode extends UnitView {
  depth: number;
  children: UnitNode[];
}

const byCode = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code, 'vi', { numeric: true });

/** Units as a forest under their parents, each level ordered by code (P-2 before P-10). */
export function unitTree(units: readonly UnitView[]): UnitNode[] {
  const nodes = new Map(units.map((u) => [u.code, { ...u, depth: 0, children: [] as UnitNode[] }]));
  const roots: UnitNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentCode ? nodes.get(node.parentCode) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const settle = (level: UnitNode[], depth: number) => {
    level.sort(byCode);
    for (const node of level) {
      node.depth = depth;
      settle(node.children, depth + 1);
    }
  };
  settle(roots, 0);
  return roots;
}

/** The forest in display order (a parent, then its subtree). */
export function flattenTree(roots: readonly UnitNode[]): UnitNode[] {
  return roots.flatMap((node) => [node, ...flattenTree(node.children)]);
}

export function findNode(roots: readonly UnitNode[], code: string): UnitNode | undefined {
  return flattenTree(roots).find((n) => n.code === code);
}

/** `code` and every unit below it: none of them may become its parent. */
export function subtreeCodes(roots: readonly UnitNode[], code: string): Set<string> {
  const node = findNode(roots, code);
  return new Set(node ? flattenTree([node]).map((n) => n.code) : []);
}

export interface SelectOption {
  value: string;
  label: string;
}

/** `<option>`s for choosing a unit, indented by depth, with `none` (worded) first. */
export function unitOptions(roots: readonly UnitNode[], none: string, exclude: ReadonlySet<string> = new Set()): SelectOption[] {
  return [
    { value: '', label: none },
    ...flattenTree(roots)
      .filter((n) => !exclude.has(n.code))
      .map((n) => ({ value: n.code, label: `${'\u00a0\u00a0\u00a0'.repeat(n.depth)}${n.code} — ${n.name}` })),
  ];
}
