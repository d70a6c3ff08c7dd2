// Package podlist is the pod list view of the terminal UI, the view the
// program opens on: every pod in scope, one row each, with kubectl's READY,
// STATUS, RESTARTS and AGE and a bar of the init steps; a fuzzy filter on
// "namespace/name" or on labels ("k=v"); toggles for the pods initializing
// or failing; sort orders (triage first); and grouping by owner, resolved
// as the rollouts summary resolves it (a Deployment with its revisions).
//
// The list keeps the store of every pod and event in scope (store.go): its
// entries are its rows, computed once per pod update, so drawing a row is
// string assembly only. The root model reads the store through Pod, Detail
// and AllPods for the views that follow pods too (the detail, the
// rollouts). All sorting and filtering happens when data, query or order
// change, incrementally where it can (sortorder.go, filter.go); View draws
// only the rows on screen.
//
// Model is a view.Component. The keys that open other views (a pod's
// detail, its logs, the rollouts) are the root model's: it asks Choose for
// the pod under the cursor.
package podlist
