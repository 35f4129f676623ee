/**
 * A Drain-style template miner (He et al., "Drain: An Online Log Parsing
 * Approach with Fixed Depth Tree", ICWS 2017) over masked templates: messages
 * are routed by token count and their first tokens through a fixed-depth
 * prefix tree; at the leaf, the group with the most equal tokens joins the
 * message when the share of equal tokens reaches `similarity`, and the tokens
 * that differ become `<*>`; otherwise the message starts a group.
 *
 * Its groups depend on the order messages arrive in, so it is not used for
 * the stored template id (which must be the same on every run and machine):
 * bench/template-accuracy.ts measures what it would add over masking alone.
 */
export interface MinerOptions {
  /** Tokens of a message looked at to route it (Drain's depth - 2). */
  prefixTokens: number;
  /** Share of equal tokens at which a message joins a group. */
  similarity: number;
  /** Children of a tree node before further distinct tokens share a `<*>` child. */
  maxChildren: number;
}

export const MINER_DEFAULTS: MinerOptions = { prefixTokens: 2, similarity: 0.5, maxChildren: 100 };

const WILDCARD = '<*>';

export interface MinedGroup {
  id: number;
  tokens: string[];
  size: number;
}

interface TreeNode {
  children: Map<string, TreeNode>;
  groups: MinedGroup[];
}

function newNode(): TreeNode {
  return { children: new Map(), groups: [] };
}

function isVariable(token: string): boolean {
  return token.startsWith('<') && token.endsWith('>');
}

export class TemplateMiner {
  private readonly root = newNode();
  private readonly options: MinerOptions;
  public readonly groups: MinedGroup[] = [];

  public constructor(options: Partial<MinerOptions> = {}) {
    this.options = { ...MINER_DEFAULTS, ...options };
  }

  /** Add a masked template (tokens separated by one space); returns the id of the group it joined. */
  public add(template: string): number {
    const tokens = template.split(' ');
    const leaf = this.leafFor(tokens);
    const best = this.bestGroup(leaf.groups, tokens);
    if (best !== null) {
      for (let i = 0; i < tokens.length; i += 1) if (best.tokens[i] !== tokens[i]) best.tokens[i] = WILDCARD;
      best.size += 1;
      return best.id;
    }
    const group: MinedGroup = { id: this.groups.length, tokens: [...tokens], size: 1 };
    this.groups.push(group);
    leaf.groups.push(group);
    return group.id;
  }

  /** The template a group has learnt so far. */
  public templateOf(id: number): string {
    return this.groups[id]!.tokens.join(' ');
  }

  private leafFor(tokens: readonly string[]): TreeNode {
    let node = this.child(this.root, String(tokens.length));
    const depth = Math.min(this.options.prefixTokens, tokens.length);
    for (let i = 0; i < depth; i += 1) {
      const token = tokens[i]!;
      node = this.child(node, isVariable(token) ? WILDCARD : token);
    }
    return node;
  }

  private child(node: TreeNode, key: string): TreeNode {
    let next = node.children.get(key);
    if (next !== undefined) return next;
    if (key !== WILDCARD && node.children.size >= this.options.maxChildren) return this.child(node, WILDCARD);
    next = newNode();
    node.children.set(key, next);
    return next;
  }

  /** Drain's similarity: equal tokens over tokens; ties go to the group with more wildcards. */
  private bestGroup(groups: readonly MinedGroup[], tokens: readonly string[]): MinedGroup | null {
    let best: MinedGroup | null = null;
    let bestSim = -1;
    let bestWild = -1;
    for (const g of groups) {
      let equal = 0;
      let wild = 0;
      for (let i = 0; i < tokens.length; i += 1) {
        if (g.tokens[i] === WILDCARD) wild += 1;
        else if (g.tokens[i] === tokens[i]) equal += 1;
      }
      const sim = equal / tokens.length;
      if (sim > bestSim || (sim === bestSim && wild > bestWild)) {
        best = g;
        bestSim = sim;
        bestWild = wild;
      }
    }
    return best !== null && bestSim >= this.options.similarity ? best : null;
  }
}

/**
 * Groups of a whole set of masked templates: Drain over them in order, then
 * each group is split again on the positions where its members hold fewer
 * than `minValues` distinct tokens (two values, `initialization.` and
 * `finalization.`, are two messages; many values, user names, are a
 * variable). Returns one group label per template.
 */
export function mineGroups(templates: readonly string[], options: Partial<MinerOptions> & { minValues?: number } = {}): string[] {
  const miner = new TemplateMiner(options);
  const minValues = options.minValues ?? 3;
  const ids = templates.map((t) => miner.add(t));
  const members = new Map<number, string[][]>();
  templates.forEach((t, i) => {
    const list = members.get(ids[i]!) ?? [];
    list.push(t.split(' '));
    members.set(ids[i]!, list);
  });
  const keptPositions = new Map<number, number[]>();
  for (const [id, list] of members) {
    const kept: number[] = [];
    for (let p = 0; p < list[0]!.length; p += 1) {
      const values = new Set(list.map((tokens) => tokens[p]));
      if (values.size > 1 && values.size < minValues) kept.push(p);
    }
    keptPositions.set(id, kept);
  }
  return templates.map((t, i) => {
    const tokens = t.split(' ');
    return [ids[i], ...keptPositions.get(ids[i]!)!.map((p) => tokens[p])].join('\u0000');
  });
}
