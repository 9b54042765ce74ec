# perturb.sh - operator throughput: bench_perturb builds every variant of a
# 1,000-task copy of the starter suite (scripts/bench-suite.sh) and prints
# its figures against its own baseline.
. tests/bench/lib.sh
sh scripts/bench-suite.sh suites/starter "$BUILD/bench/suite1000" 1000 &&
	"$BUILD/bench/bench_perturb" "$BUILD/bench/suite1000"
