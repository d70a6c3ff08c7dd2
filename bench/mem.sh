#!/usr/bin/env bash
# Resident set of initwatch's terminal UI on a real kube-apiserver + etcd:
# loads PODS pods (bench/tuiscale -hold: e2e/podgen's spread, four init
# containers, 20 namespaces, six kubelet-like events each), then runs
# bench/memscale on it and writes its section of BENCHMARKS.md; the cluster
# is stopped at the end. Not part of `make test`.
#
#   bench/mem.sh memory PODS     steady and peak RSS at PODS pods (make bench-memory)
#   bench/mem.sh owners PODS     the same with and without the owner informers, on
#                                200 Deployments and 2,000 ReplicaSets as well
#                                (make bench-rollouts)
#
# Extra arguments go to bench/memscale (e.g. -runs 5 -settle 30s).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode=${1:?usage: bench/mem.sh memory|owners PODS [memscale flags]}
pods=${2:?usage: bench/mem.sh memory|owners PODS [memscale flags]}
shift 2

mkdir -p bin/bench
make --no-print-directory build # as the release builds it
go build -o bin/bench/listpods ./bench/listpods
go build -o bin/bench/tuiheap ./bench/tuiheap
go build -o bin/bench/replay ./bench/replay
go build -o bin/bench/tuiscale ./bench/tuiscale
go build -o bin/bench/memscale ./bench/memscale

work=$(mktemp -d)
holder=
cleanup() {
	if [[ -n $holder ]]; then
		kill -TERM "$holder" 2>/dev/null || true
		wait "$holder" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "loading $pods pods and their events (this takes minutes on a small machine)…" >&2
: >"$work/hold.log"
bin/bench/tuiscale -hold -pods "$pods" -gobench=false -replay '' -k9s '' -events=true >"$work/hold.log" 2>&1 &
holder=$!
kubeconfig=
while [[ -z $kubeconfig ]]; do
	if ! kill -0 "$holder" 2>/dev/null; then
		cat "$work/hold.log" >&2
		echo "bench/mem.sh: loading the cluster failed" >&2
		exit 1
	fi
	kubeconfig=$(sed -n 's/.* pods loaded; kubeconfig: \(.*\) (interrupt to stop)$/\1/p' "$work/hold.log")
	sleep 2
done
events=$((pods * 6)) # podgen.EventsPerPod
commas() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }

case $mode in
memory)
	bin/bench/memscale -kubeconfig "$kubeconfig" -pods "$pods" -events "$events" \
		-level 2 -title "Memory at $(commas "$pods") pods and $(commas "$events") events on a real apiserver (\`make bench-memory\`)" \
		-section "memory-$pods" -out BENCHMARKS.md "$@"
	;;
owners)
	# Workloads for the owner informers to hold: 200 Deployments (applied,
	# so each carries its last-applied configuration, as in a real
	# cluster) and ten ReplicaSets each, their revision history.
	{
		for d in $(seq -w 0 199); do
			ns="bench-$(printf %02d $((10#$d % 20)))"
			cat <<-EOF
				apiVersion: apps/v1
				kind: Deployment
				metadata: {name: web-$d, namespace: $ns, annotations: {deployment.kubernetes.io/revision: "10"}}
				spec:
				  replicas: 50
				  selector: {matchLabels: {app: web-$d}}
				  template:
				    metadata: {labels: {app: web-$d}}
				    spec:
				      initContainers: [{name: migrate, image: "registry.example/web/migrate:1.$d", command: [sh, -c, "run migrations and wait for the schema"]}]
				      containers: [{name: app, image: "registry.example/web/app:1.$d", env: [{name: MODE, value: production}], resources: {requests: {cpu: 100m, memory: 128Mi}}}]
				---
			EOF
		done
	} >"$work/deployments.yaml"
	{
		for d in $(seq -w 0 199); do
			ns="bench-$(printf %02d $((10#$d % 20)))"
			for r in $(seq 1 10); do
				replicas=0
				[[ $r == 10 ]] && replicas=50
				cat <<-EOF
					apiVersion: apps/v1
					kind: ReplicaSet
					metadata:
					  name: web-$d-r$r
					  namespace: $ns
					  labels: {app: web-$d, pod-template-hash: r$r}
					  annotations: {deployment.kubernetes.io/revision: "$r"}
					spec:
					  replicas: $replicas
					  selector: {matchLabels: {app: web-$d, pod-template-hash: r$r}}
					  template:
					    metadata: {labels: {app: web-$d, pod-template-hash: r$r}}
					    spec:
					      initContainers: [{name: migrate, image: "registry.example/web/migrate:1.$d", command: [sh, -c, "run migrations and wait for the schema"]}]
					      containers: [{name: app, image: "registry.example/web/app:1.$d", env: [{name: MODE, value: production}], resources: {requests: {cpu: 100m, memory: 128Mi}}}]
					---
				EOF
			done
		done
	} >"$work/replicasets.yaml"
	kubectl --kubeconfig "$kubeconfig" apply -f "$work/deployments.yaml" >/dev/null
	kubectl --kubeconfig "$kubeconfig" create -f "$work/replicasets.yaml" >/dev/null
	bin/bench/memscale -kubeconfig "$kubeconfig" -pods "$pods" -events "$events" \
		-variants 'without owners=INITWATCH_BENCH_NO_OWNERS=1;with owners=' \
		-title "Owner informers' resident set on a real apiserver, $(commas "$pods") pods, 200 Deployments, 2,000 ReplicaSets (\`bench/mem.sh owners\`)" \
		-section "owners-$pods" -out BENCHMARKS.md "$@"
	;;
*)
	echo "bench/mem.sh: unknown mode $mode (want memory or owners)" >&2
	exit 2
	;;
esac
