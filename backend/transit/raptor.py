"""Reverse RAPTOR (arrive-by), vectorised with numpy over the columns of a `DayView`.

Labels, per round r (= number of rides allowed):
- `board[s]`: the latest time one can board a vehicle at stop s and still reach the destination
  in time with at most r rides;
- `reach[s]`: the latest time one must be at stop s (having got off a vehicle) to do so: from s,
  walk to the destination (round 0), change at s (`stop_change`), or walk a footpath to a stop
  whose `board` label is known.

A round scans every sub-pattern that serves a stop whose `reach` improved. For each column (a
pattern position) it finds the latest trip arriving there by `reach` (one `searchsorted` over all
columns at once, the columns being sorted and keyed by column number); the trip usable when
boarding at position j is the latest such trip at any later position (a segmented suffix maximum).
Columns where the pattern sets nobody down (drop_off_type 1) are never alighted at, and columns
where it picks nobody up (pickup_type 1) never boarded (patterns differ by these rules, so a rule
holds for every trip of a column). A block's stay-seated through trip is one ride, as are the
headway trips' runs (their `dep` is the time to be at the stop). Labels not later than the best departure already found (target pruning) or earlier than the
search window are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backend.transit.network import MAX_JOURNEY_S, TIME_BITS, DayView, Network, expand_ranges

NONE = -1
EGRESS = -2
BIG = np.int64(1) << np.int64(40)


@dataclass
class Round:
    board: np.ndarray
    board_col: np.ndarray
    board_k: np.ndarray
    board_pos: np.ndarray
    board_round: np.ndarray
    reach: np.ndarray
    reach_src: np.ndarray
    reach_round: np.ndarray


@dataclass
class Result:
    """Per round r (index r, 1..rounds): the labels, and the best departure from the origin."""

    rounds: list[Round]
    best: list[int]  # best[r]: latest origin departure with <= r rides (NONE when none)
    low: int


def _best_per_key(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Indices of the largest value per key (one per key)."""
    order = np.lexsort((values, keys))
    k = keys[order]
    last = np.ones(len(k), dtype=bool)
    last[:-1] = k[1:] != k[:-1]
    return order[last]


def run(net: Network, view: DayView, access: tuple[np.ndarray, np.ndarray],
        egress: tuple[np.ndarray, np.ndarray], arrive: int, max_rides: int) -> Result:
    """Reverse RAPTOR for an arrival by `arrive` (seconds since `view.ref`).

    `access`/`egress` are (stops, walking seconds) from the origin / to the destination.
    """
    n = net.n_stops
    low = arrive - MAX_JOURNEY_S
    reach = np.full(n, NONE, dtype=np.int64)
    reach_src = np.full(n, NONE, dtype=np.int64)
    reach_round = np.zeros(n, dtype=np.int64)
    e_stops, e_walk = egress
    if len(e_stops):
        idx = _best_per_key(e_stops, arrive - e_walk)
        reach[e_stops[idx]] = arrive - e_walk[idx]
        reach_src[e_stops[idx]] = EGRESS
    board = np.full(n, NONE, dtype=np.int64)
    board_col = np.full(n, NONE, dtype=np.int64)
    board_k = np.full(n, NONE, dtype=np.int64)
    board_pos = np.full(n, NONE, dtype=np.int64)
    board_round = np.zeros(n, dtype=np.int64)
    a_stops, a_walk = access
    rounds = [Round(board.copy(), board_col.copy(), board_k.copy(), board_pos.copy(), board_round.copy(),
                    reach.copy(), reach_src.copy(), reach_round.copy())]
    best = [NONE]
    marked = np.unique(e_stops[reach[e_stops] >= low]) if len(e_stops) else np.empty(0, np.int64)
    found = NONE
    for r in range(1, max_rides + 1):
        if len(marked):
            lo, hi = view.sp_indptr[marked], view.sp_indptr[marked + 1]
            qs = np.unique(view.sp_stop_q[expand_ranges(lo, hi - lo)])
            improved = _scan(view, qs, reach, low, max(found, low - 1), board, board_col, board_k,
                             board_pos, board_round, r)
            marked = _relax(net, improved, board, reach, reach_src, reach_round, low, r)
        if len(a_stops):
            b = board[a_stops]
            ok = b >= low
            if ok.any():
                found = max(found, int((b[ok] - a_walk[ok]).max()))
        best.append(found if found >= low else NONE)
        rounds.append(Round(board.copy(), board_col.copy(), board_k.copy(), board_pos.copy(),
                            board_round.copy(), reach.copy(), reach_src.copy(), reach_round.copy()))
    return Result(rounds, best, low)


def _scan(view: DayView, qs: np.ndarray, reach, low: int, floor: int, board, board_col, board_k,
          board_pos, board_round, r: int) -> np.ndarray:
    """One round over the sub-patterns `qs`; returns the stops whose `board` label improved."""
    if not len(qs):
        return np.empty(0, np.int64)
    lens = view.vp_len[qs]
    cols = expand_ranges(view.col_base[qs], lens)
    label = reach[view.col_stop[cols]]
    ok = (label >= low) & view.col_alight_ok[cols]  # drop_off_type 1: nobody gets off there
    key = (cols << TIME_BITS) | np.maximum(label, 0)
    k = np.searchsorted(view.key, key, side="right") - 1 - view.data_start[cols]
    ok &= k >= 0
    v = np.where(ok, ((k + 1) << 16) | view.col_pos[cols], 0)
    # Segmented suffix maximum: reverse, lift each segment above the previous, running maximum.
    seg = np.repeat(np.arange(len(qs), dtype=np.int64), lens)
    lift = (len(qs) - 1 - seg) * BIG
    rev = (v + lift)[::-1]
    suffix = (np.maximum.accumulate(rev)[::-1]) - lift
    # Exclusive: the trip must be left at a LATER position than where it is boarded.
    use = np.zeros(len(v), dtype=np.int64)
    use[:-1] = suffix[1:]
    last_of_seg = np.ones(len(v), dtype=bool)
    last_of_seg[:-1] = seg[1:] != seg[:-1]
    use[last_of_seg] = 0
    use[~view.col_board_ok[cols]] = 0  # pickup_type 1: nobody gets on there
    j = np.nonzero(use > 0)[0]
    if not len(j):
        return np.empty(0, np.int64)
    trip_k = (use[j] >> 16) - 1
    pos = use[j] & 0xFFFF
    c = cols[j]
    dep = view.dep[view.data_start[c] + trip_k]
    stop = view.col_stop[c]
    good = (dep > floor) & (dep > board[stop])
    if not good.any():
        return np.empty(0, np.int64)
    c, dep, stop, trip_k, pos = c[good], dep[good], stop[good], trip_k[good], pos[good]
    pick = _best_per_key(stop, dep)
    s = stop[pick]
    board[s] = dep[pick]
    board_col[s] = c[pick]
    board_k[s] = trip_k[pick]
    board_pos[s] = pos[pick]
    board_round[s] = r
    return s


def _relax(net: Network, improved: np.ndarray, board, reach, reach_src, reach_round, low: int, r: int) -> np.ndarray:
    """From improved `board` labels to `reach` labels: change at the stop, or walk to it."""
    if not len(improved):
        return improved
    lo, hi = net.fp_indptr[improved], net.fp_indptr[improved + 1]
    e = expand_ranges(lo, hi - lo)
    to = np.repeat(improved, hi - lo)
    targets = np.concatenate([improved, net.fp_from[e]])
    values = np.concatenate([board[improved] - net.stop_change[improved], board[to] - net.fp_secs[e]])
    srcs = np.concatenate([improved, to])
    good = (values > reach[targets]) & (values >= low)
    targets, values, srcs = targets[good], values[good], srcs[good]
    if not len(targets):
        return targets
    pick = _best_per_key(targets, values)
    t = targets[pick]
    reach[t] = values[pick]
    reach_src[t] = srcs[pick]
    reach_round[t] = r
    return t


@dataclass
class Ride:
    board_stop: int
    dep: int
    alight_stop: int
    arr: int
    trip: int
    board_pos: int = -1   # positions in the trip's pattern
    alight_pos: int = -1


@dataclass
class Path:
    """A journey as found: access stop, rides, walks between them (seconds), egress stop."""

    access_stop: int
    rides: list[Ride]
    walks: list[tuple[int, int, int]]  # (from stop, to stop, seconds) between rides
    egress_stop: int


def trace(net: Network, view: DayView, res: Result, r: int, access_stop: int) -> Path:
    """The journey behind round r's `board` label at `access_stop`."""
    s = access_stop
    rr = int(res.rounds[r].board_round[s])
    rides: list[Ride] = []
    walks: list[tuple[int, int, int]] = []
    while True:
        lab = res.rounds[rr]
        c, k, pos = int(lab.board_col[s]), int(lab.board_k[s]), int(lab.board_pos[s])
        q = int(view.col_q[c])
        c2 = int(view.col_base[q]) + pos
        inst = int(view.vp_inst_start[q]) + k
        u = int(view.col_stop[c2])
        rides.append(Ride(s, int(view.dep[view.data_start[c] + k]), u,
                          int(view.arr[view.data_start[c2] + k]), int(view.inst_trip[inst]),
                          int(view.col_pos[c]), pos))
        prev = res.rounds[rr - 1]
        src = int(prev.reach_src[u])
        if src == EGRESS:
            return Path(access_stop, rides, walks, u)
        secs = int(net.stop_change[u]) if src == u else net.walk_between(u, src)
        walks.append((u, src, secs))
        rr = int(res.rounds[int(prev.reach_round[u])].board_round[src])
        s = src
