// Package wait is the judgement behind `initwatch wait`: which pods a
// target (a pod, a workload's new revision, or a label selector) stands for,
// when it is done (kubectl's own rollout-status rules for Deployments,
// StatefulSets and DaemonSets), when waiting can no longer succeed (the stop
// rules), the one-line changes a CI log shows, and the diagnosis printed on
// failure or timeout, as text, GitHub Actions annotations or one JSON
// document.
//
// Everything here is a function of API objects and a clock passed in: the
// command (cli/wait.go) owns the watches, the log requests and the exit code.
package wait

import (
	"fmt"
	"strings"
)

// Kind is a kind of object `initwatch wait` can wait for.
type Kind string

const (
	KindPod         Kind = "pod"
	KindDeployment  Kind = "deployment"
	KindStatefulSet Kind = "statefulset"
	KindDaemonSet   Kind = "daemonset"
	KindJob         Kind = "job"
	KindReplicaSet  Kind = "replicaset"
	// KindSelector stands for every pod matching -l.
	KindSelector Kind = "selector"
)

// kindNames are kubectl's resource names, plural and short names for the
// kinds wait understands (kubectl api-resources).
var kindNames = map[string]Kind{
	"pod": KindPod, "pods": KindPod, "po": KindPod,
	"deployment": KindDeployment, "deployments": KindDeployment, "deploy": KindDeployment,
	"deployment.apps": KindDeployment, "deployments.apps": KindDeployment,
	"statefulset": KindStatefulSet, "statefulsets": KindStatefulSet, "sts": KindStatefulSet,
	"statefulset.apps": KindStatefulSet, "statefulsets.apps": KindStatefulSet,
	"daemonset": KindDaemonSet, "daemonsets": KindDaemonSet, "ds": KindDaemonSet,
	"daemonset.apps": KindDaemonSet, "daemonsets.apps": KindDaemonSet,
	"job": KindJob, "jobs": KindJob, "job.batch": KindJob, "jobs.batch": KindJob,
	"replicaset": KindReplicaSet, "replicasets": KindReplicaSet, "rs": KindReplicaSet,
	"replicaset.apps": KindReplicaSet, "replicasets.apps": KindReplicaSet,
}

// ParseKind reads a kubectl resource name ("deploy", "pods", "sts").
func ParseKind(s string) (Kind, bool) {
	k, ok := kindNames[strings.ToLower(s)]
	return k, ok
}

// Target is one thing to wait for.
type Target struct {
	Kind Kind
	Name string // empty for KindSelector
	// Selector is the label selector of a KindSelector target.
	Selector string
}

// String names the target as kubectl does: "deployment/checkout", or
// "pods -l app=web".
func (t Target) String() string {
	if t.Kind == KindSelector {
		return "pods -l " + t.Selector
	}
	return string(t.Kind) + "/" + t.Name
}

// ParseTarget reads TYPE/NAME.
func ParseTarget(arg string) (Target, error) {
	typ, name, ok := strings.Cut(arg, "/")
	if !ok {
		return Target{}, fmt.Errorf("%q: want TYPE/NAME, like deploy/checkout or pod/web-0", arg)
	}
	kind, known := ParseKind(typ)
	if !known {
		return Target{}, fmt.Errorf("%q: unknown type %q: use pod (po), deployment (deploy), statefulset (sts), daemonset (ds), job or replicaset (rs)", arg, typ)
	}
	if name == "" || strings.Contains(name, "/") {
		return Target{}, fmt.Errorf("%q: want TYPE/NAME with one name", arg)
	}
	return Target{Kind: kind, Name: name}, nil
}

// For is what "done" means (--for).
type For string

const (
	ForInitialized For = "initialized" // every pod's Initialized condition is True
	ForReady       For = "ready"       // every pod is Ready
	// ForRollout is `kubectl rollout status` for Deployments, StatefulSets
	// and DaemonSets, and the Complete condition for a Job.
	ForRollout For = "rollout"
)

// ParseFor reads --for.
func ParseFor(s string) (For, error) {
	switch f := For(strings.ToLower(s)); f {
	case ForInitialized, ForReady, ForRollout:
		return f, nil
	}
	return "", fmt.Errorf("--for %q: use initialized, ready or rollout", s)
}

// DefaultFor is --for when not given: rollout for workloads that roll out
// (and a Job's completion), ready for pods, ReplicaSets and selectors.
func DefaultFor(k Kind) For {
	switch k {
	case KindDeployment, KindStatefulSet, KindDaemonSet, KindJob:
		return ForRollout
	}
	return ForReady
}

// Supports reports whether f makes sense for k.
func Supports(k Kind, f For) bool {
	if f == ForRollout {
		return DefaultFor(k) == ForRollout
	}
	return true
}
