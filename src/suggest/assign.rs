//! The optimal one-to-one assignment (the Hungarian algorithm).

/// Pairs rows with columns of `score` (rows × columns, any shape) so that the
/// total score is largest; returns for each row its column, if any.
///
/// This is the O(n³) shortest-augmenting-path form of Kuhn–Munkres, on costs
/// `1 - score` over a square matrix padded with zero scores.
pub fn assign(score: &[Vec<f64>]) -> Vec<Option<usize>> {
    let rows = score.len();
    let cols = score.first().map_or(0, Vec::len);
    let n = rows.max(cols);
    if n == 0 {
        return vec![None; rows];
    }
    let cost = |i: usize, j: usize| -> f64 {
        if i < rows && j < cols {
            1.0 - score[i][j]
        } else {
            1.0
        }
    };
    // Potentials u (rows) and v (columns), 1-based with 0 as the sentinel.
    let mut u = vec![0.0f64; n + 1];
    let mut v = vec![0.0f64; n + 1];
    let mut owner = vec![0usize; n + 1]; // owner[j]: row assigned to column j
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        owner[0] = i;
        let mut j0 = 0;
        let mut min = vec![f64::INFINITY; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = owner[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=n {
                if used[j] {
                    continue;
                }
                let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                if cur < min[j] {
                    min[j] = cur;
                    way[j] = j0;
                }
                if min[j] < delta {
                    delta = min[j];
                    j1 = j;
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[owner[j]] += delta;
                    v[j] -= delta;
                } else {
                    min[j] -= delta;
                }
            }
            j0 = j1;
            if owner[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            owner[j0] = owner[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![None; rows];
    for (j, &i) in owner.iter().enumerate().skip(1) {
        if i >= 1 && i <= rows && j <= cols {
            out[i - 1] = Some(j - 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(score: &[Vec<f64>], a: &[Option<usize>]) -> f64 {
        a.iter()
            .enumerate()
            .filter_map(|(i, j)| j.map(|j| score[i][j]))
            .sum()
    }

    #[test]
    fn beats_greedy() {
        // Greedy takes (0,0)=0.9 and is left with (1,1)=0.1; the optimum is 0.8+0.8.
        let s = vec![vec![0.9, 0.8], vec![0.8, 0.1]];
        assert_eq!(assign(&s), vec![Some(1), Some(0)]);
    }

    #[test]
    fn rectangular_matrices() {
        let wide = vec![vec![0.1, 0.9, 0.2]];
        assert_eq!(assign(&wide), vec![Some(1)]);
        let tall = vec![vec![0.3], vec![0.7], vec![0.1]];
        assert_eq!(assign(&tall), vec![None, Some(0), None]);
        assert!(assign(&[]).is_empty());
    }

    #[test]
    fn matches_brute_force_on_small_matrices() {
        let mut seed = 12345u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / (1u64 << 31) as f64
        };
        for _ in 0..50 {
            let s: Vec<Vec<f64>> = (0..4).map(|_| (0..4).map(|_| rnd()).collect()).collect();
            let best = permutations(4)
                .iter()
                .map(|p| (0..4).map(|i| s[i][p[i]]).sum::<f64>())
                .fold(0.0, f64::max);
            let got = total(&s, &assign(&s));
            assert!((got - best).abs() < 1e-9, "{got} vs {best}");
        }
    }

    fn permutations(n: usize) -> Vec<Vec<usize>> {
        if n == 0 {
            return vec![vec![]];
        }
        let mut out = Vec::new();
        for p in permutations(n - 1) {
            for i in 0..=p.len() {
                let mut q = p.clone();
                q.insert(i, n - 1);
                out.push(q);
            }
        }
        out
    }
}
