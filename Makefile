# initwatch — build, test and benchmark entry points.
# Everything the tests need is built here from pinned Go modules (hack/).

SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin
CP_BIN := $(BIN)/controlplane
K8S_VERSION := v1.37.2
K8S_LDFLAGS := -X k8s.io/component-base/version.gitVersion=$(K8S_VERSION) -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37

# Every package of the product module except the end-to-end tests, which
# need the control plane and run in `make e2e`.
UNIT_PKGS = $(shell $(GO) list ./... | grep -v '/e2e')
E2E_PKGS = ./e2e/...
# Go files to keep gofmt-clean: everything but build output and fixtures.
GO_FILES = $(shell find . -name '*.go' -not -path './bin/*' -not -path './dist/*' -not -path './.cache/*' -not -path '*/testdata/*')

.PHONY: all build test unit e2e controlplane kubectl vet fmt-check bench bench-get bench-tui bench-replay bench-multicluster bench-rollouts bench-memory k9s clean

all: build

# Built as the release builds it (.goreleaser.yaml): no cgo, so static;
# symbol tables stripped; paths trimmed. The tests and benchmarks then run
# what users run: the default build (cgo on, dynamically linked, 147 MB)
# held 84 MB resident at idle, this one (38 MB) 38 MB.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(BIN)/initwatch .

# The whole gate: what CI runs (see .ci/run). Control-plane binaries are
# built only when missing or when their pinned modules changed.
test: controlplane vet fmt-check unit e2e

vet:
	$(GO) vet ./...

fmt-check:
	@out="$$(gofmt -l $(GO_FILES))"; \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -count=1 $(UNIT_PKGS)

# End-to-end tests against a real etcd + kube-apiserver (and, for the
# rollout tests, a whole cluster: controller-manager, scheduler, kwok as
# the kubelet), with the binary just built and the race detector on the
# in-process client code.
# INITWATCH_E2E=1 turns missing control-plane binaries into a failure.
e2e: build controlplane
	INITWATCH_E2E=1 INITWATCH_CP_BIN=$(CP_BIN) INITWATCH_BIN=$(BIN)/initwatch \
		$(GO) test -race -count=1 -timeout 20m -v $(E2E_PKGS) 2>&1 | \
		grep -v -E '^=== (RUN|PAUSE|CONT)' ; exit $${PIPESTATUS[0]}

# Control-plane binaries for the e2e tests, from the pinned tools modules.
# kube-controller-manager and kube-scheduler come from the same pinned
# k8s.io/kubernetes module as kube-apiserver: the whole-cluster tests run the
# real Deployment, ReplicaSet, StatefulSet and Job controllers and the
# scheduler (e2e/controlplane.StartCluster).
controlplane: $(CP_BIN)/kube-apiserver $(CP_BIN)/etcd $(CP_BIN)/kwok $(CP_BIN)/kube-controller-manager $(CP_BIN)/kube-scheduler

$(CP_BIN)/kube-apiserver: hack/controlplane/kube-apiserver/go.mod hack/controlplane/kube-apiserver/go.sum
	cd hack/controlplane/kube-apiserver && $(GO) build -ldflags "$(K8S_LDFLAGS)" -o $@ k8s.io/kubernetes/cmd/kube-apiserver

$(CP_BIN)/kube-controller-manager: hack/controlplane/kube-apiserver/go.mod hack/controlplane/kube-apiserver/go.sum
	cd hack/controlplane/kube-apiserver && $(GO) build -ldflags "$(K8S_LDFLAGS)" -o $@ k8s.io/kubernetes/cmd/kube-controller-manager

$(CP_BIN)/kube-scheduler: hack/controlplane/kube-apiserver/go.mod hack/controlplane/kube-apiserver/go.sum
	cd hack/controlplane/kube-apiserver && $(GO) build -ldflags "$(K8S_LDFLAGS)" -o $@ k8s.io/kubernetes/cmd/kube-scheduler

$(CP_BIN)/etcd: hack/controlplane/etcd/go.mod hack/controlplane/etcd/go.sum
	cd hack/controlplane/etcd && $(GO) build -o $@ go.etcd.io/etcd/server/v3

$(CP_BIN)/kwok: hack/controlplane/kwok/go.mod hack/controlplane/kwok/go.sum
	cd hack/controlplane/kwok && $(GO) build -o $@ sigs.k8s.io/kwok/cmd/kwok

# kubectl, the oracle of the e2e tests, for machines without one: v1.37.2
# from the pinned tools module (the tests find it in bin/controlplane when
# kubectl is not on PATH).
kubectl: $(CP_BIN)/kubectl

$(CP_BIN)/kubectl: hack/controlplane/kubectl/go.mod hack/controlplane/kubectl/go.sum
	cd hack/controlplane/kubectl && $(GO) build -ldflags "$(K8S_LDFLAGS)" -o $@ k8s.io/kubernetes/cmd/kubectl

# Benchmarks are not part of `make test`: they measure, they do not gate.
bench: bench-rollouts bench-multicluster bench-get bench-tui bench-memory

# The rollout summary after a batch of changes (10,000 pods, 200
# workloads) next to a summary from scratch, the rollouts view's frame at
# 100 and 10,000 pods, and the live heap the owner informers add; then
# the TUI's resident set with and without them on a real apiserver.
bench-rollouts: build controlplane
	$(GO) test -run '^$$' -bench 'SummaryAfterBatch|SummarizeFull' -benchmem -count 5 ./rollout/
	$(GO) test -run '^$$' -bench 'RolloutsView' -benchmem -count 3 ./tui/
	$(GO) test -run '^$$' -bench 'OwnerInformersHeap' -benchtime 1x -count 3 ./kube/
	INITWATCH_CP_BIN=$(CP_BIN) bench/mem.sh owners 10000

# The TUI binary's steady and peak resident set at 50,000 pods (and
# 300,000 events) on a real apiserver, medians of 3 starts: bench/mem.sh
# loads the cluster (minutes) and bench/memscale writes its section of
# BENCHMARKS.md.
bench-memory: build controlplane
	INITWATCH_CP_BIN=$(CP_BIN) bench/mem.sh memory 50000

# Several clusters: 1 and 3 clusters of 10,000 pods through kube.MultiSource
# (heap per pod and the ratio), and a cluster that never answers; then the
# same against 3 real etcd + kube-apiserver pairs: the whole `initwatch get
# -w` process's RSS on one context and on three, and each cluster's arrival.
bench-multicluster: build controlplane
	$(GO) run ./bench/multicluster -clusters 3 -pods 10000
	INITWATCH_CP_BIN=$(CP_BIN) bench/multicluster.sh

# `initwatch get -A` next to a bare client-go LIST and `kubectl get pods -A`
# on 10,000 pods, plus the heap the informer source holds per pod.
bench-get: build controlplane
	INITWATCH_CP_BIN=$(CP_BIN) bench/get.sh

# The TUI at 1,000, 10,000 and 50,000 pods (six events each) in a
# pseudo-terminal: first full frame, memory, idle CPU, write → screen latency
# under 1,000 writes/s, filter keystrokes; next to a bare LIST, kubectl and
# k9s; and first, with no apiserver, initwatch alone against bench/replay at
# 1,000 / 5,000 / 10,000 changes/s. Writes BENCHMARKS.md. Loading 50,000 pods
# and 300,000 events takes a long time on a small machine: -pods 1000,10000
# (through bench/run.sh) leaves it out.
# k9s is only a baseline: if it does not build, the rest still runs.
bench-tui: build controlplane
	-$(MAKE) k9s
	INITWATCH_CP_BIN=$(CP_BIN) bench/run.sh

# initwatch alone against bench/replay (10,000 and 50,000 pods, 1,000 /
# 5,000 / 10,000 changes/s; no apiserver, no k9s): refreshes only the replay
# section of BENCHMARKS.md and keeps every other figure. bench-tui runs it too.
bench-replay: build
	bench/run.sh -only replay -gobench=false -k9s ''

# k9s v0.50.16, the side-by-side baseline, from its pinned tools module
# (never vendored or committed).
K9S_VERSION := v0.50.16
k9s: $(BIN)/k9s

$(BIN)/k9s: hack/k9s/go.mod hack/k9s/go.sum
	cd hack/k9s && $(GO) build -ldflags "-X github.com/derailed/k9s/cmd.version=$(K9S_VERSION)" -o $@ github.com/derailed/k9s

# Releases (not part of make test; CI runs it after): GoReleaser from its
# pinned tools module, `goreleaser check`, a snapshot release of every
# platform into dist/ (git-ignored), then the tests of what it produced:
# archives, checksums, Homebrew cask, krew manifest (plugins/release_test.go).
GORELEASER := $(BIN)/goreleaser

.PHONY: goreleaser release-check

goreleaser: $(GORELEASER)

$(GORELEASER): hack/goreleaser/go.mod hack/goreleaser/go.sum
	cd hack/goreleaser && $(GO) build -o $@ github.com/goreleaser/goreleaser/v2

release-check: $(GORELEASER)
	$(GORELEASER) check
	$(GORELEASER) release --snapshot --clean
	INITWATCH_DIST=$(CURDIR)/dist $(GO) test -count=1 ./plugins/

clean:
	rm -rf $(BIN)

# Churn soak (issue 8): 1,000 pods created and deleted in a loop for two
# minutes under the informer source and the TUI's model, then goroutines,
# heap and the final list are checked. Long, so not part of `make test`.
.PHONY: soak
soak: build controlplane
	INITWATCH_E2E=1 INITWATCH_CP_BIN=$(CP_BIN) INITWATCH_BIN=$(BIN)/initwatch \
		$(GO) test -tags soak -count=1 -timeout 20m -run 'TestSoak' -v ./e2e/
