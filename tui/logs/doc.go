// Package logs is the logs pane of the pod detail view: it streams one
// container's log through kube.LogSource, follows the pod from init
// container to init container and from run to run, keeps a bounded buffer,
// and offers search, a container picker, the previous run and tail steps.
// It is a Bubble Tea model of its own; package detail embeds it.
package logs
