"""The Spark job of a Concord comparison, for clusters where you submit
jobs yourself (YARN, Kubernetes, standalone)::

    spark-submit --master yarn job.py --left hdfs:///old --right hdfs:///new \\
        --config '{"keys":[{"left":"id","right":"id"}]}' --output hdfs:///diff

It is ``concord.spark.main``: see ``package.sh`` for how the executors get
the package, and the README's "On Apache Spark".
"""

from concord.spark import main

raise SystemExit(main())
