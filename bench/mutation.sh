#!/bin/sh
# Mutation testing of surveykit/scoring/ and surveykit/definition/expressions.py
# with mutmut 3 (configuration: [tool.mutmut] in pyproject.toml). Not run by CI.
#
#   pip install 'mutmut>=3.8,<4' hypothesis
#   sh bench/mutation.sh [max-children]        # default: 2 parallel workers
#
# The run happens in a scratch copy of the committed tree, so the worktree gets
# no mutants/ folder. The summary per module is printed at the end; the scratch
# copy is kept (its path is printed) for `mutmut results` / `mutmut show NAME`.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
children=${1:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/surveykit-mutation.XXXXXX")
git -C "$here" archive HEAD | tar -x -C "$work"
cd "$work"
python -m mutmut run --max-children "$children" > mutmut.log 2>&1 || true
python "$here/bench/mutation_summary.py" mutants
echo "scratch copy: $work"
