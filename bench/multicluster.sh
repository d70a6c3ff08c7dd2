#!/usr/bin/env bash
# Several clusters against real apiservers: CLUSTERS local etcd +
# kube-apiserver pairs of PODS pods each; the whole `initwatch get -w`
# process's RSS on one context and on all of them, and when each cluster's
# pods arrive through kube.MultiSource next to a cluster that never answers.
# Not part of `make test`; run `make bench-multicluster`.
#
# Environment: CLUSTERS, PODS, RUNS, SETTLE override the defaults (3, 10000,
# 3, 10s).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

mkdir -p bin/bench
make --no-print-directory build # as the release builds it
go build -o bin/bench/multirss ./bench/multirss

exec bin/bench/multirss \
	-clusters "${CLUSTERS:-3}" \
	-pods "${PODS:-10000}" \
	-runs "${RUNS:-3}" \
	-settle "${SETTLE:-10s}" \
	-initwatch bin/initwatch
