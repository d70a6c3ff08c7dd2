# initwatch — build, test and benchmark entry points.
# Everything the tests need is built here from pinned Go modules (hack/).

SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin
CP_BIN := $(BIN)/controlplane
K8S_VERSION := v1.37.2
K8S_LDFLAGS := -X k8s.io/component-base/version.gitVersion=$(K8S_VERSION) -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37

.PHONY: all build test unit e2e controlplane vet fmt-check bench clean

all: build

build:
	$(GO) build -o $(BIN)/initwatch .

# Control-plane binaries for the e2e tests, from the pinned tools modules.
controlplane: $(CP_BIN)/kube-apiserver $(CP_BIN)/etcd $(CP_BIN)/kwok

$(CP_BIN)/kube-apiserver: hack/controlplane/kube-apiserver/go.mod hack/controlplane/kube-apiserver/go.sum
	cd hack/controlplane/kube-apiserver && $(GO) build -ldflags "$(K8S_LDFLAGS)" -o $@ k8s.io/kubernetes/cmd/kube-apiserver

$(CP_BIN)/etcd: hack/controlplane/etcd/go.mod hack/controlplane/etcd/go.sum
	cd hack/controlplane/etcd && $(GO) build -o $@ go.etcd.io/etcd/server/v3

$(CP_BIN)/kwok: hack/controlplane/kwok/go.mod hack/controlplane/kwok/go.sum
	cd hack/controlplane/kwok && $(GO) build -o $@ sigs.k8s.io/kwok/cmd/kwok
