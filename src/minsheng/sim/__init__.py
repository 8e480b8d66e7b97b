"""Policy analysis (政策分析): a synthetic region-sized population and whole-population what-if
runs of every programme with the live rules, in process or on Dask."""
