#!/usr/bin/env bash
# Scale benchmark of initwatch's terminal UI on 1,000 and 10,000 pods (4 init
# containers each, 20 namespaces) against a local kube-apiserver + etcd:
# first full frame, memory, idle CPU, status write → screen latency under
# 1,000 writes/s and filter keystrokes, next to a bare client-go LIST,
# `kubectl get pods -A` and k9s (when bin/k9s exists: make k9s), measured in
# the same run; and before the control plane starts, initwatch alone against
# bench/replay (changes at 1,000 / 5,000 / 10,000 a second over 10,000 and
# 50,000 pods). Prints the results and writes BENCHMARKS.md. Not part of
# `make test`; run `make bench` (or `make bench-tui` for this part alone).
#
# Extra arguments go to the driver (bench/tuiscale), e.g. -pods 1000 -runs 3.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

mkdir -p bin/bench
make --no-print-directory build # as the release builds it
go build -o bin/bench/listpods ./bench/listpods
go build -o bin/bench/tuiheap ./bench/tuiheap
go build -o bin/bench/tuiscale ./bench/tuiscale
go build -o bin/bench/replay ./bench/replay

exec bin/bench/tuiscale \
	-initwatch bin/initwatch \
	-listpods bin/bench/listpods \
	-tuiheap bin/bench/tuiheap \
	-k9s bin/k9s \
	-replay bin/bench/replay \
	-out BENCHMARKS.md \
	"$@"
