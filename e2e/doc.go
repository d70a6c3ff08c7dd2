// Package e2e holds initwatch's end-to-end tests: real Kubernetes
// components (package controlplane), the real initwatch binary, and kubectl
// as the oracle for what a pod's READY, STATUS, RESTARTS and AGE must read.
//
// Two clusters serve them:
//
//   - The small cluster (shared.Get): etcd and kube-apiserver only. Tests
//     write pods and their statuses as a kubelet would (package podgen), so
//     every field is exactly what the test wants: the oracle over hundreds
//     of generated statuses, get/watch output, logs driven line by line,
//     reliability (apiserver restarts, expired watches), security and
//     hostile input, the terminal tests that need fixed statuses.
//   - The whole cluster (shared.Cluster, started on first use): the same
//     plus kube-controller-manager, kube-scheduler and kwok as the kubelet
//     of three nodes (testdata/kwok/kubelet). Tests `kubectl apply` the
//     seed app and its StatefulSet and Job (testdata/cluster) and the real
//     controllers create the pods: TestRolloutSeedApp (two revisions of
//     six replicas, `initwatch get -w` beside `kubectl get pods -w`),
//     TestClusterWorkloads (scheduling, sidecars, Jobs, logs), and the main
//     screen test TestTUISeedRolloutInTmux. Tests that need several clusters
//     start their own (controlplane.StartClusterForTest).
//
// The package documentation of controlplane says how to start a cluster,
// apply a manifest, steer an init container's failures by annotation and
// wait for a rollout, and what running the controllers with kwok takes.
//
// Run them with `make e2e` (or `make test`). Under plain `go test` they skip
// when the control-plane binaries have not been built.
package e2e
