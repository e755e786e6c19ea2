"""``make bench``: every benchmark in bench/ on one throwaway PostgreSQL database.

The seeding benchmark runs first (it builds the book the others measure); then every
other module here with a ``run(scale)`` function, in name order, and the bill run last
(it adds two months of reads and bills to the book, which the others measure as seeded). Each prints its figures
beside their floors and one JSON line per figure.

    python bench/run.py --scale 100000 [--keep] [--database NAME]
"""

from __future__ import annotations

import importlib
import pathlib

import _harness

FIRST = "seed"
LAST = "billrun"


def _modules() -> list[str]:
    names = sorted(
        path.stem
        for path in pathlib.Path(__file__).parent.glob("*.py")
        if not path.stem.startswith("_") and path.stem != "run"
    )
    return [FIRST, *(name for name in names if name not in (FIRST, LAST)), LAST]


def main() -> None:
    args = _harness.arguments(__doc__.splitlines()[0])
    with _harness.throwaway_database(keep=args.keep, name=args.database) as url:
        _harness.set_up_django(url)
        for name in _modules():
            module = importlib.import_module(name)
            print(f"== {name} (scale {args.scale:,})")
            _harness.report(module.run(args.scale))


if __name__ == "__main__":
    main()
