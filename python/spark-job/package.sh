#!/usr/bin/env bash
# Packs what a cluster's executors need to run Concord's Spark job: a
# Python environment holding the concord wheel (built here from the
# checkout; Rust needed) and pyarrow, as one archive for spark-submit's
# --archives. Usage: bash python/spark-job/package.sh [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:-$here/dist}" && cd "${1:-$here/dist}" && pwd)
rm -rf "$out/env" "$out"/concord-*.whl "$out/concord-env.tar.gz"
python3 -m venv "$out/env"
"$out/env/bin/pip" install --quiet --upgrade pip
"$out/env/bin/pip" install --quiet venv-pack
echo "==> building the concord wheel (release)"
"$out/env/bin/pip" wheel --quiet --no-deps "$here/.." -w "$out"
"$out/env/bin/pip" install --quiet "$out"/concord-*.whl pyarrow "pandas<3"
"$out/env/bin/venv-pack" --quiet -p "$out/env" -o "$out/concord-env.tar.gz"
cat <<DONE
==> $out/concord-env.tar.gz
Submit with:
  spark-submit --master MASTER \\
    --archives $out/concord-env.tar.gz#env \\
    --conf spark.pyspark.python=./env/bin/python \\
    $here/job.py --left LEFT --right RIGHT --config '{"keys":[{"left":"id","right":"id"}]}' --output DIR
(The driver runs Python too: in client mode it needs the package where you submit from.)
DONE
