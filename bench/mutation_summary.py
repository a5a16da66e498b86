"""Kill rate per module from a mutmut 3 `mutants/` folder: `python bench/mutation_summary.py mutants`.

mutmut keeps one `<module>.py.meta` JSON file per mutated module with the exit
code of the test run of every mutant: 0 = the tests passed (the mutant
survived), 1 = a test failed (killed), 33 = no test covers it, 34 = skipped,
36/37 = timeout / suspicious (counted as killed: the mutant changed
behaviour enough to hang), None = not run yet.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KIND = {0: "survived", 1: "killed", 33: "no tests", 34: "skipped", 36: "killed", 37: "killed"}


def main(root: str) -> None:
    print(f"{'module':<40} {'mutants':>7} {'killed':>7} {'survived':>8} {'no tests':>8} {'rate':>7}")
    for meta in sorted(Path(root).rglob("*.py.meta")):
        codes = json.loads(meta.read_text()).get("exit_code_by_key", {})
        if not codes:
            continue
        kinds = Counter(KIND.get(c, "killed") if c is not None else "not run" for c in codes.values())
        tested = kinds["killed"] + kinds["survived"] + kinds["no tests"]
        rate = 100.0 * kinds["killed"] / tested if tested else float("nan")
        name = str(meta.relative_to(root)).removesuffix(".meta")
        print(f"{name:<40} {len(codes):>7} {kinds['killed']:>7} {kinds['survived']:>8} "
              f"{kinds['no tests']:>8} {rate:>6.1f}%"
              + (f"  ({kinds['not run']} not run)" if kinds["not run"] else ""))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "mutants")
