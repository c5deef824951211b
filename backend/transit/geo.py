"""Walking distances and a grid index over stops (no O(n^2) pair search).

Walking is estimated from the straight line: people cannot walk through blocks, so the straight
distance is multiplied by `WALK_DETOUR_FACTOR`, and walked at `WALK_SPEED_M_S`.
"""

from __future__ import annotations

import math

import numpy as np

# 4.5 km/h: a calm pace, also for people who walk with difficulty or carry things.
WALK_SPEED_M_S = 1.25
# Street networks make a walk about 30 % longer than the straight line (common planning estimate).
WALK_DETOUR_FACTOR = 1.3
# Walking transfers between stops are derived up to this straight-line distance.
TRANSFER_RADIUS_M = 500.0
EARTH_RADIUS_M = 6_371_000.0
M_PER_DEG_LAT = 111_320.0


def distance_m(lat1, lon1, lat2, lon2):
    """Straight-line (haversine) distance in metres; works on floats and numpy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def walk_metres(straight_m):
    """Estimated walking distance for a straight-line distance."""
    return np.asarray(straight_m) * WALK_DETOUR_FACTOR


def walk_seconds(straight_m):
    """Estimated walking time (whole seconds, rounded up) for a straight-line distance."""
    return np.ceil(walk_metres(straight_m) / WALK_SPEED_M_S).astype(np.int64)


class GridIndex:
    """Stops bucketed in square cells of `cell_m` metres; a radius query looks at nearby cells only."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray, cell_m: float = TRANSFER_RADIUS_M) -> None:
        self.lat = np.asarray(lat, dtype=np.float64)
        self.lon = np.asarray(lon, dtype=np.float64)
        mid = float(np.mean(self.lat)) if len(self.lat) else 50.0
        self.dlat = cell_m / M_PER_DEG_LAT
        self.dlon = cell_m / (M_PER_DEG_LAT * max(math.cos(math.radians(mid)), 0.2))
        # Cells are kept as one sorted array of cell keys; a cell is a slice of `order`.
        self.ci = np.floor(self.lat / self.dlat).astype(np.int64)
        self.cj = np.floor(self.lon / self.dlon).astype(np.int64)
        keys = self._key(self.ci, self.cj)
        self.order = np.argsort(keys, kind="stable")
        self.sorted_keys = keys[self.order]
        self.cell_m = cell_m

    @staticmethod
    def _key(ci, cj):
        return (np.asarray(ci, dtype=np.int64) << 32) + (np.asarray(cj, dtype=np.int64) & 0xFFFFFFFF)

    def _cell(self, key: int) -> np.ndarray:
        lo = np.searchsorted(self.sorted_keys, key, side="left")
        hi = np.searchsorted(self.sorted_keys, key, side="right")
        return self.order[lo:hi]

    def near(self, lat: float, lon: float, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the points within `radius_m` (straight line) and their distances."""
        if not len(self.lat):
            return np.empty(0, np.int64), np.empty(0)
        ri = int(math.ceil(radius_m / self.cell_m))
        ci, cj = math.floor(lat / self.dlat), math.floor(lon / self.dlon)
        parts = [self._cell(int(self._key(ci + a, cj + b))) for a in range(-ri, ri + 1)
                 for b in range(-ri, ri + 1)]
        idx = np.concatenate(parts) if parts else np.empty(0, np.int64)
        d = distance_m(lat, lon, self.lat[idx], self.lon[idx])
        keep = d <= radius_m
        return idx[keep], d[keep]

    def pairs_within(self, radius_m: float, group: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All ordered pairs (i, j), i != j, within `radius_m`, with their distance.

        With `group`, only pairs whose groups differ (e.g. stops of two different feeds).
        Works cell by cell against the neighbouring cells, so the cost grows with the number of
        close pairs, not with the square of the number of stops.
        """
        assert radius_m <= self.cell_m
        uniq, starts = np.unique(self.sorted_keys, return_index=True)
        ends = np.append(starts[1:], len(self.sorted_keys))
        out_i, out_j, out_d = [], [], []
        for key, a, b in zip(uniq.tolist(), starts.tolist(), ends.tolist()):
            here = self.order[a:b]
            ci, cj = key >> 32, key & 0xFFFFFFFF
            if cj >= 1 << 31:
                cj -= 1 << 32
            near = np.concatenate([self._cell(int(self._key(ci + da, cj + db)))
                                   for da in (-1, 0, 1) for db in (-1, 0, 1)])
            ii = np.repeat(here, len(near))
            jj = np.tile(near, len(here))
            keep = ii != jj
            if group is not None:
                keep &= group[ii] != group[jj]
            ii, jj = ii[keep], jj[keep]
            d = distance_m(self.lat[ii], self.lon[ii], self.lat[jj], self.lon[jj])
            ok = d <= radius_m
            out_i.append(ii[ok]); out_j.append(jj[ok]); out_d.append(d[ok])
        if not out_i:
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
        return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_d)
