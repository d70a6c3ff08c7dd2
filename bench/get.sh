#!/usr/bin/env bash
# Benchmark of `initwatch get -A` on 10,000 pods (4 init containers each, 20
# namespaces) against a local kube-apiserver + etcd, next to a bare client-go
# LIST and `kubectl get pods -A` in the same run, plus the Go heap held per
# pod after an informer sync. Not part of `make test`; run `make bench-get`.
#
# Environment: PODS, NAMESPACES, RUNS override the defaults (10000, 20, 5).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

mkdir -p bin/bench
make --no-print-directory build # as the release builds it
go build -o bin/bench/listpods ./bench/listpods
go build -o bin/bench/heapsize ./bench/heapsize
go build -o bin/bench/getbench ./bench/getbench

exec bin/bench/getbench \
	-pods "${PODS:-10000}" \
	-namespaces "${NAMESPACES:-20}" \
	-runs "${RUNS:-5}" \
	-initwatch bin/initwatch \
	-listpods bin/bench/listpods \
	-heapsize bin/bench/heapsize
