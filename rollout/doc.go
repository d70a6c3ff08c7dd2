// Package rollout summarises pods across their workloads: which Deployment,
// StatefulSet, DaemonSet, Job or CronJob they belong to, which revision, how
// far each init step has got across all of them, and what the failing pods
// have in common (failure signatures).
//
// It answers the on-call's questions during a release about hundreds of pods
// at once: how far is the rollout, which init step holds the pods, is it one
// cause or many, on which nodes, since when, is it getting better.
//
// Like model/, everything here is a pure function of API objects and a clock
// the caller passes: no clientsets, no informers, no terminal. The TUI's
// rollouts view, `initwatch rollouts` and `initwatch wait` all read the same
// types, so a count or a signature is computed in one place.
//
// Owners (Deployments, ReplicaSets, ...) come from kube/'s owner informers
// through an Owners store. Where RBAC forbids reading a kind, the store says
// so (Access) and resolution falls back to what pods carry themselves: their
// ownerReferences and the pod-template-hash label. Nothing here fails for
// want of an owner; an unknown owner is named as the pod names it.
//
// A pod read from one of several clusters carries its kubeconfig context
// (model.ContextOf); every reference here includes it, so the same
// namespace/name in two clusters is two workloads.
package rollout
