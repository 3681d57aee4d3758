//! Order-preserving parallel map used for verification: signature checks
//! dominate import and read time and are independent per statement.

use rayon::prelude::*;

/// Apply `f` to every item on all cores; return the results in order, or
/// the error of the *first* failing item (by position), so error messages
/// do not depend on thread timing.
pub fn map<T: Sync, U: Send, E: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<U, E> + Sync + Send,
) -> Result<Vec<U>, E> {
    let results: Vec<Result<U, E>> = items.par_iter().map(f).collect();
    results.into_iter().collect()
}
