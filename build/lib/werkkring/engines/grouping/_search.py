"""Exchange local search for anticlustering, vectorised over disjoint pairs of groups.

Each round pairs every group with another one (a round-robin tournament, so a cycle of rounds meets every
pair of groups); for every pair all swaps of one member of each group are scored at once from the group
sums (O(d) per swap, no n x n matrix) and the best improving swap is made. Pairs are disjoint, so the
swaps of one round do not interfere and are applied together. The score is lexicographic through weights:
keep-apart pairs, then the floor/ceiling quotas, then BSS, then (weighted) repeat meetings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from werkkring.engines.grouping._compile import BoolArray, FloatArray, IntArray


@dataclass
class SearchProblem:
    X: FloatArray
    """n x d, centred columns."""
    codes: IntArray
    """n x A quota columns."""
    lo: IntArray
    hi: IntArray
    sizes: IntArray
    movable: BoolArray
    apart_keys: IntArray
    history_keys: IntArray
    w_history: float
    w_viol: float
    w_apart: float
    numeric: BoolArray
    """Which columns of X are numeric attributes."""


def weights(X: FloatArray, n_attributes: int, history_per_pair: float, max_size: int) -> tuple[float, float]:
    """Weights that make the objective lexicographic: (keep-apart, quota) above any BSS or history change."""
    r2 = float((X**2).sum(axis=1).max()) if X.size else 0.0
    w_viol = 32.0 * r2 + 4.0 * history_per_pair * max_size + 1.0
    w_apart = w_viol * (4.0 * n_attributes + 2.0) + 1.0
    return w_viol, w_apart


def _lookup(keys: IntArray, a: IntArray, b: IntArray, n: int) -> IntArray:
    """For index arrays a (P x s) and b (P x t): 1 where the pair (a, b) is in keys."""
    lo = np.minimum(a[:, :, None], b[:, None, :])
    hi = np.maximum(a[:, :, None], b[:, None, :])
    q = lo * n + hi
    pos = np.searchsorted(keys, q)
    pos = np.minimum(pos, keys.size - 1)
    found: IntArray = ((keys[pos] == q) & (lo != hi) & (hi < n)).astype(np.int64)
    return found


def _pair_delta(keys: IntArray, mg: IntArray, mh: IntArray, n: int) -> IntArray:
    mgg = _lookup(keys, mg, mg, n)
    mhh = _lookup(keys, mh, mh, n)
    mgh = _lookup(keys, mg, mh, n)
    rg = mgg.sum(axis=2)
    rh = mhh.sum(axis=2)
    row = mgh.sum(axis=2)
    col = mgh.sum(axis=1)
    out: IntArray = -rg[:, :, None] + row[:, :, None] - rh[:, None, :] + col[:, None, :] - 2 * mgh
    return out


def objective(sp: SearchProblem, assign: IntArray) -> tuple[int, int, float, int]:
    """(keep-apart pairs together, quota violation in persons, BSS, repeat pairs) of an assignment."""
    n, d = sp.X.shape
    k = len(sp.sizes)
    sums = np.zeros((k, d))
    np.add.at(sums, assign, sp.X)
    bss = float(((sums**2).sum(axis=1) / np.maximum(sp.sizes, 1)).sum()) if d else 0.0
    viol = 0
    if sp.codes.shape[1]:
        counts = np.zeros_like(sp.lo)
        for a in range(sp.codes.shape[1]):
            np.add.at(counts, (assign, sp.codes[:, a]), 1)
        viol = int((np.maximum(sp.lo - counts, 0) + np.maximum(counts - sp.hi, 0)).sum())

    def together(keys: IntArray) -> int:
        if keys.size == 0:
            return 0
        return int((assign[keys // n] == assign[keys % n]).sum())

    return together(sp.apart_keys), viol, bss, together(sp.history_keys)


class _State:
    """Groups as a k x smax member table (padded with n), their sums, quota counts and swap scorers."""

    def __init__(self, sp: SearchProblem, assign: IntArray) -> None:
        self.sp = sp
        n, d = sp.X.shape
        self.n, self.d = n, d
        sizes = sp.sizes
        self.k = k = len(sizes)
        self.smax = smax = int(sizes.max())
        self.assign = assign.copy()
        order = np.argsort(assign, kind="stable")
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.members = np.full((k, smax), n, dtype=np.int64)
        self.members[assign[order], np.arange(n) - starts[assign[order]]] = order
        self.Xe = np.vstack([sp.X, np.zeros((1, d))])
        self.nrm = (self.Xe**2).sum(axis=1)
        self.A = A = sp.codes.shape[1]
        self.codes_e = np.vstack([sp.codes, np.zeros((1, A), dtype=np.int64)])
        self.codes_t = np.ascontiguousarray(self.codes_e.T)
        self.has_pad = int(sizes.min()) < smax
        self.mov_e = np.append(sp.movable, False)
        self.fsizes = sizes.astype(np.float64)
        self.cnt = np.zeros((k, sp.lo.shape[1]), dtype=np.int64)
        for a in range(A):
            np.add.at(self.cnt, (assign, sp.codes[:, a]), 1)
        self.dec = (self.cnt <= sp.lo).astype(np.int8) - (self.cnt > sp.hi).astype(np.int8)
        self.inc = (self.cnt >= sp.hi).astype(np.int8) - (self.cnt < sp.lo).astype(np.int8)
        self.frozen = not bool(sp.movable.all())
        self.use_apart = sp.apart_keys.size > 0
        self.use_hist = sp.history_keys.size > 0 and sp.w_history > 0
        self.tol = 1e-9 * max(1.0, float(self.nrm.mean()))
        self.resum()

    def resum(self) -> None:
        self.S = np.zeros((self.k, self.d))
        np.add.at(self.S, self.assign, self.sp.X)

    def step(self, g: IntArray, h: IntArray) -> float:
        """Score every swap between g[p] and h[p] (disjoint pairs), make the best improving one per pair."""
        sp, n, smax = self.sp, self.n, self.smax
        mg, mh = self.members[g], self.members[h]
        shape = (len(g), smax, self.d)
        xg = self.Xe.take(mg.ravel(), axis=0).reshape(shape)
        xh = self.Xe.take(mh.ravel(), axis=0).reshape(shape)
        sg, sh = self.S[g], self.S[h]
        ug = np.einsum("psd,pd->ps", xg, sg)
        uh = np.einsum("psd,pd->ps", xg, sh)
        vg = np.einsum("psd,pd->ps", xh, sg)
        vh = np.einsum("psd,pd->ps", xh, sh)
        nrm_g, nrm_h = self.nrm.take(mg), self.nrm.take(mh)
        dd = nrm_g[:, :, None] + nrm_h[:, None, :] - 2.0 * np.matmul(xg, xh.transpose(0, 2, 1))
        total = (2.0 * (vg[:, None, :] - ug[:, :, None]) + dd) / self.fsizes[g][:, None, None]
        total += (-2.0 * (vh[:, None, :] - uh[:, :, None]) + dd) / self.fsizes[h][:, None, None]
        if self.A:
            # Flat lookups into the k x Q tables (group * Q + column) are much faster than 2-d fancy indexing.
            dec, inc = self.dec.ravel(), self.inc.ravel()
            q = self.dec.shape[1]
            gq, hq = (g * q)[:, None], (h * q)[:, None]
            dv = np.zeros((len(g), smax, smax), dtype=np.int8)
            for a in range(self.A):
                ca = self.codes_t[a].take(mg)
                cb = self.codes_t[a].take(mh)
                left = dec.take(gq + ca) + inc.take(hq + ca)
                right = dec.take(hq + cb) + inc.take(gq + cb)
                dv += (ca[:, :, None] != cb[:, None, :]) * (left[:, :, None] + right[:, None, :])
            total += sp.w_viol * dv
        if self.use_apart:
            total += sp.w_apart * _pair_delta(sp.apart_keys, mg, mh, n)
        if self.use_hist:
            total += sp.w_history * _pair_delta(sp.history_keys, mg, mh, n)
        if self.frozen:
            blocked = ~(self.mov_e.take(mg)[:, :, None] & self.mov_e.take(mh)[:, None, :])
            total[blocked] = np.inf
        elif self.has_pad:
            total[(mg == n)[:, :, None] | (mh == n)[:, None, :]] = np.inf
        flat = total.reshape(len(g), -1)
        best = flat.argmin(axis=1)
        val = flat[np.arange(len(g)), best]
        p = np.flatnonzero(val < -self.tol)
        if p.size == 0:
            return 0.0
        a_slot, b_slot = best[p] // smax, best[p] % smax
        gg, hh = g[p], h[p]
        i, j = mg[p, a_slot], mh[p, b_slot]
        self.members[gg, a_slot] = j
        self.members[hh, b_slot] = i
        self.assign[i] = hh
        self.assign[j] = gg
        dx = sp.X[j] - sp.X[i]
        self.S[gg] += dx
        self.S[hh] -= dx
        if self.A:
            cnt = self.cnt
            for a in range(self.A):
                np.add.at(cnt, (gg, sp.codes[i, a]), -1)
                np.add.at(cnt, (gg, sp.codes[j, a]), 1)
                np.add.at(cnt, (hh, sp.codes[j, a]), -1)
                np.add.at(cnt, (hh, sp.codes[i, a]), 1)
            rows = np.concatenate([gg, hh])
            c, lo_r, hi_r = cnt[rows], sp.lo[rows], sp.hi[rows]
            self.dec[rows] = (c <= lo_r).astype(np.int8) - (c > hi_r).astype(np.int8)
            self.inc[rows] = (c >= hi_r).astype(np.int8) - (c < lo_r).astype(np.int8)
        return float(-val[p].sum())

    def targeted_pairs(self, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
        """Pair each group that breaks a quota (or holds a keep-apart pair) with a group that can take the
        surplus or give what is lacking; random pairing would bring these together only rarely."""
        sp = self.sp
        over = self.cnt > sp.hi
        under = self.cnt < sp.lo
        bad = over | under
        partner = np.full(self.k, -1, dtype=np.int64)
        vg = np.flatnonzero(bad.any(axis=1))
        if vg.size:
            col = (bad[vg] * rng.random((vg.size, bad.shape[1]))).argmax(axis=1)
            excess = over[vg, col]
            for c in np.unique(col).tolist():
                for ex in (True, False):
                    sel = (col == c) & (excess == ex)
                    if not sel.any():
                        continue
                    ok = self.cnt[:, c] < sp.hi[:, c] if ex else self.cnt[:, c] > sp.lo[:, c]
                    cand = np.flatnonzero(ok)
                    if cand.size:
                        partner[vg[sel]] = cand[rng.integers(0, cand.size, int(sel.sum()))]
        if self.use_apart:
            a, b = sp.apart_keys // self.n, sp.apart_keys % self.n
            clash = np.unique(self.assign[a[self.assign[a] == self.assign[b]]])
            clash = clash[partner[clash] < 0]
            partner[clash] = rng.integers(0, self.k, clash.size)
        todo = np.flatnonzero(partner >= 0)
        rng.shuffle(todo)
        used = np.zeros(self.k, dtype=bool)
        gs: list[int] = []
        hs: list[int] = []
        for g, h in zip(todo.tolist(), partner[todo].tolist(), strict=True):
            if g != h and not used[g] and not used[h]:
                used[g] = used[h] = True
                gs.append(g)
                hs.append(h)
        return np.array(gs, dtype=np.int64), np.array(hs, dtype=np.int64)

    def broken(self) -> int:
        sp = self.sp
        viol = int((np.maximum(sp.lo - self.cnt, 0) + np.maximum(self.cnt - sp.hi, 0)).sum())
        if self.use_apart:
            a, b = sp.apart_keys // self.n, sp.apart_keys % self.n
            viol += int((self.assign[a] == self.assign[b]).sum())
        return viol


def improve(
    sp: SearchProblem,
    assign: IntArray,
    *,
    rng: np.random.Generator,
    deadline: float | None,
    min_gain: float = -1.0,
    window: int = 0,
    repair_patience: int = 30,
) -> IntArray:
    """Repair quotas and keep-apart pairs with targeted swaps, then swap until no pair of groups has an
    improving swap (or the deadline passes, or the last ``window`` rounds gained at most ``min_gain``)."""
    k = len(sp.sizes)
    if k < 2 or sp.X.shape[0] < 2:
        return assign.copy()
    st = _State(sp, assign)

    def late() -> bool:
        return deadline is not None and time.perf_counter() > deadline

    idle = 0
    while idle < repair_patience and st.broken() > 0 and not late():
        g, h = st.targeted_pairs(rng)
        if g.size == 0:
            break
        before = st.broken()
        st.step(g, h)
        idle = 0 if st.broken() < before else idle + 1

    m = k + (k % 2)
    half = m // 2
    ring = np.arange(1, m)
    recent: list[float] = []
    while True:
        perm = rng.permutation(k)
        cycle_gain = 0.0
        for r in range(m - 1):
            if late():
                return st.assign
            rot = np.concatenate([[0], np.roll(ring, r)])
            ai, bi = rot[:half], rot[::-1][:half]
            keep = (ai < k) & (bi < k)
            gain = st.step(perm[ai[keep]], perm[bi[keep]])
            cycle_gain += gain
            if window > 0:
                recent.append(gain)
                if len(recent) > window:
                    recent.pop(0)
                    if sum(recent) <= min_gain:
                        return st.assign
        if cycle_gain <= 0.0:
            return st.assign
        st.resum()
