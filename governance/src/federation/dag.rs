//! The two computations every view of a community DAG shares: a
//! children-first order that finds a cycle if there is one, and the
//! populations (the union of the people below each node) computed along it.
//!
//! People are interned as `u32` and a population is a sorted, duplicate-free
//! `Vec<u32>`: a node's population is its own people, or the concatenation
//! of its children's populations sorted and deduplicated. Both
//! [`FederationGraph`](super::FederationGraph) and the sortition view
//! [`crate::sortition::federation::Federation`] use these functions, so the
//! two can never disagree on who is in a federation.

/// Nodes in an order where every node comes after all its children.
///
/// `children(c)` lists node `c`'s children (indices below `n`). On a cycle
/// the error holds its nodes `[a, b, …, a]`, each a child of the one before.
pub(crate) fn children_first<'a>(
    n: usize,
    children: impl Fn(usize) -> &'a [usize],
) -> Result<Vec<usize>, Vec<usize>> {
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut order = Vec::with_capacity(n);
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        let mut stack = vec![(root, 0usize)];
        while let Some(&mut (c, ref mut next)) = stack.last_mut() {
            let Some(&ch) = children(c).get(*next) else {
                state[c] = 2;
                order.push(c);
                stack.pop();
                continue;
            };
            *next += 1;
            match state[ch] {
                0 => {
                    state[ch] = 1;
                    stack.push((ch, 0));
                }
                1 => return Err(cycle_through(&stack, ch)),
                _ => {}
            }
        }
    }
    Ok(order)
}

/// The cycle closed by an edge from the top of `stack` back to `ch`.
fn cycle_through(stack: &[(usize, usize)], ch: usize) -> Vec<usize> {
    let start = stack.iter().position(|&(c, _)| c == ch).unwrap_or(0);
    let mut cycle: Vec<usize> = stack[start..].iter().map(|&(c, _)| c).collect();
    cycle.push(ch);
    cycle
}

/// Every node's population along a children-first `order`: `own(c)` for a
/// node with people of its own (taken as is, then sorted and deduplicated),
/// else the union of its children's populations.
pub(crate) fn populations<'a>(
    order: &[usize],
    own: impl Fn(usize) -> Option<&'a [u32]>,
    children: impl Fn(usize) -> &'a [usize],
) -> Vec<Vec<u32>> {
    let mut pops: Vec<Vec<u32>> = vec![Vec::new(); order.len()];
    for &c in order {
        let mut pop = match own(c) {
            Some(people) => people.to_vec(),
            None => union(children(c).iter().map(|&ch| pops[ch].as_slice())),
        };
        pop.sort_unstable();
        pop.dedup();
        pops[c] = pop;
    }
    pops
}

/// The concatenation of sorted lists (sorting is left to the caller).
fn union<'a>(lists: impl Iterator<Item = &'a [u32]> + Clone) -> Vec<u32> {
    let total = lists.clone().map(<[u32]>::len).sum();
    let mut out = Vec::with_capacity(total);
    for l in lists {
        out.extend_from_slice(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_puts_children_first_and_cycles_are_named() {
        let ch: Vec<Vec<usize>> = vec![vec![1, 2], vec![2], vec![]];
        let order = children_first(3, |c| &ch[c]).unwrap();
        let pos = |x| order.iter().position(|&c| c == x).unwrap();
        assert!(pos(2) < pos(1) && pos(1) < pos(0));
        let ch: Vec<Vec<usize>> = vec![vec![1], vec![2], vec![0], vec![]];
        assert_eq!(children_first(4, |c| &ch[c]), Err(vec![0, 1, 2, 0]));
        let ch: Vec<Vec<usize>> = vec![vec![0]];
        assert_eq!(children_first(1, |c| &ch[c]), Err(vec![0, 0]));
    }

    #[test]
    fn populations_are_unions_counted_once() {
        let ch: Vec<Vec<usize>> = vec![vec![], vec![], vec![0, 1], vec![2, 1]];
        let own: Vec<Option<Vec<u32>>> = vec![Some(vec![3, 1, 1]), Some(vec![2, 3]), None, None];
        let order = children_first(4, |c| &ch[c]).unwrap();
        let pops = populations(&order, |c| own[c].as_deref(), |c| &ch[c]);
        assert_eq!(pops[0], vec![1, 3]);
        assert_eq!(pops[2], vec![1, 2, 3]);
        assert_eq!(pops[3], vec![1, 2, 3]);
    }
}
