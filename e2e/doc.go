// Package e2e holds initwatch's end-to-end tests: a real etcd and
// kube-apiserver (package controlplane), pods and statuses written as a
// kubelet would (package podgen), the real initwatch binary, and kubectl as
// the oracle for what a pod's READY, STATUS, RESTARTS and AGE must read.
//
// Run them with `make e2e` (or `make test`). Under plain `go test` they skip
// when the control-plane binaries have not been built.
package e2e
