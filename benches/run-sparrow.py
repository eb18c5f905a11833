#!/usr/bin/env python3
"""Runs sparrow (through its Python wrapper spyrrow) on strip-packing instances,
for the same-machine column of the density table in benches/README.md.

Usage: python3 benches/run-sparrow.py SECONDS SEED OUT_DIR INSTANCE.json...
Needs `pip install spyrrow==0.9.0` (a venv is fine). Writes OUT_DIR/NAME.json per
instance and prints one line each. Density = item area / (length x strip height),
the item area computed from the instance polygons (as `nestwork bench` does).
"""
import json
import os
import sys
import time

import spyrrow


def polygon_area(points):
    """Shoelace area of a closed or open ring."""
    n = len(points)
    twice = sum(
        points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1]
        for i in range(n)
    )
    return abs(twice) / 2.0


def run(path, seconds, seed, workers):
    with open(path) as f:
        inst = json.load(f)
    items, item_area = [], 0.0
    for it in inst["items"]:
        shape = it["shape"]
        if shape["type"] != "simple_polygon":
            raise SystemExit(f"{path}: item {it['id']} is a {shape['type']}, only simple polygons are supported")
        pts = [tuple(p) for p in shape["data"]]
        item_area += polygon_area(pts) * it["demand"]
        # Missing orientations mean free rotation in the instance format (None in spyrrow).
        items.append(
            spyrrow.Item(str(it["id"]), pts, demand=it["demand"],
                         allowed_orientations=it.get("allowed_orientations"))
        )
    height = inst["strip_height"]
    problem = spyrrow.StripPackingInstance(inst["name"], height, items)
    config = spyrrow.StripPackingConfig(
        early_termination=False,
        total_computation_time=seconds,
        num_workers=workers,
        seed=seed,
    )
    start = time.monotonic()
    sol = problem.solve(config)
    elapsed = time.monotonic() - start
    placed = len(sol.placed_items)
    total = sum(it["demand"] for it in inst["items"])
    if placed != total:
        raise SystemExit(f"{path}: sparrow placed {placed} of {total} items")
    return {
        "instance": inst["name"],
        "solver": f"sparrow via spyrrow {spyrrow.__version__}",
        "time_limit_s": seconds,
        "elapsed_s": round(elapsed, 2),
        "seed": seed,
        "workers": workers,
        "length": sol.width,
        "strip_height": height,
        "density": item_area / (sol.width * height),
        "placed": placed,
    }


def main():
    if len(sys.argv) < 5:
        raise SystemExit(__doc__)
    seconds, seed, out_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    workers = int(os.environ.get("THREADS", os.cpu_count() or 1))
    os.makedirs(out_dir, exist_ok=True)
    for path in sys.argv[4:]:
        res = run(path, seconds, seed, workers)
        name = os.path.splitext(os.path.basename(path))[0]
        with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
            json.dump(res, f, indent=2)
            f.write("\n")
        print(f"{name:10} {100 * res['density']:6.2f} %  length {res['length']:.4f}  "
              f"seed {seed}  {res['elapsed_s']} s  {workers} workers", flush=True)


if __name__ == "__main__":
    main()
