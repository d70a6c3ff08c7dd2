// Package detail is the pod detail view: a title line, a row of tabs and
// one scrollable pane per topic (init containers, conditions, events,
// history, resources, logs). Its panes are rendered to lines when the pod,
// its events or the window change, so View only slices. The logs pane is
// package logs, reached through the LogsPane interface so tests can stand
// in for it.
package detail
